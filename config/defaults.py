"""Default settings. Each name can be overridden by an environment variable of the same name."""

DEFAULTS = {
    # Data folder: the SQLite file, the log file and the generated secret key live here.
    "RESERVIA_HOME": "~/.reservia",
    # Any SQLAlchemy URL; empty means the SQLite file reservia.sqlite3 inside RESERVIA_HOME.
    "RESERVIA_DATABASE_URL": "",
    # Empty means: read RESERVIA_HOME/secret_key, generating it (mode 0600) on first start.
    "RESERVIA_SECRET_KEY": "",
    # Password of the administrator "admin" created on an empty database. Empty: a random one is
    # generated, shown on the terminal and kept in RESERVIA_HOME/initial-admin-password (0600).
    "RESERVIA_ADMIN_PASSWORD": "",
    "RESERVIA_LOG_LEVEL": "INFO",
    # File name inside RESERVIA_HOME (or an absolute path); empty logs to standard error only.
    "RESERVIA_LOG_FILE": "reservia.log",
    "RESERVIA_LOG_MAX_BYTES": 5_000_000,
    "RESERVIA_LOG_BACKUPS": 5,
    # How long an approved hold lasts without a keep-alive; 0 means holds never expire.
    "RESERVIA_HOLD_MINUTES": 10,
    # How long a queued request waits before it expires; 0 means it waits for ever.
    "RESERVIA_QUEUE_MINUTES": 0,
    # The shortest hold worth approving before a booking: the head of the queue waits (and the
    # resource stays free) when less is left before the next booking's start and buffer.
    "RESERVIA_MIN_HOLD_MINUTES": 5,
    # Seconds a writer waits for the SQLite write lock before giving up with 503.
    "RESERVIA_SQLITE_BUSY_TIMEOUT": 30,
    # Werkzeug password hashing method; tests use a cheaper one.
    "RESERVIA_PASSWORD_METHOD": "scrypt",
    # Set to true behind HTTPS so that browsers send the session cookie only over TLS. The cookie
    # is Secure anyway whenever the request itself came over HTTPS.
    "RESERVIA_SECURE_COOKIES": False,
    # How many reverse proxies (load balancers) stand in front of the web server that runs
    # Reservia; their X-Forwarded-For/-Proto/-Host headers are trusted. 0: none, ignore them.
    "RESERVIA_PROXIES": 0,
    # Seconds between the dashboard's automatic refreshes.
    "RESERVIA_REFRESH_SECONDS": 5,
    "RESERVIA_PAGE_SIZE": 20,
    # Threads of each server process that GET /reservation/wait may hold open for a waiting
    # request; further waiters are answered at once and told to ask again (Retry-After).
    # Empty: half the threads the server says each process has (mod_wsgi, gunicorn), one where
    # it does not say. A number is used as given, but never takes a process's last thread.
    # 0 holds none. See docs/deploy.md for the figures behind the default.
    "RESERVIA_WAIT_THREADS": "",
    # Open requests (waiting or holding, by name or by labels) one user may have at once; a
    # further request is refused with 409 TOO_MANY_REQUESTS. 0: no limit.
    "RESERVIA_MAX_OPEN_REQUESTS": 20,
    # A waiting request rises one priority class (docs/policies.md) per this many minutes
    # waited, so that no request starves behind higher classes. 0: no aging.
    "RESERVIA_PRIORITY_AGING_MINUTES": 10,
    # The site's time zone (an IANA name): the booked-hours week of the group rules runs from
    # Monday 00:00 to Monday 00:00 there, and the utilization reports cut days, weeks and months there.
    "RESERVIA_TIME_ZONE": "UTC",
    # A login session ends this many days after it started.
    "RESERVIA_SESSION_DAYS": 14,
    # Failed logins, counted in the database (see backend/database/login_limit_rules.py): after
    # this many wrong passwords for one name within RESERVIA_LOGIN_FAILURE_MINUTES, that name is
    # refused for RESERVIA_LOGIN_FIRST_LOCK_SECONDS, doubling with each further failure up to
    # RESERVIA_LOGIN_LONGEST_LOCK_MINUTES (at most 15: a larger value counts as 15). 0 turns the
    # lock off. A browser that signed in as the name before is counted on its own (device cookie).
    "RESERVIA_LOGIN_MAX_FAILURES": 5,
    "RESERVIA_LOGIN_FAILURE_MINUTES": 15,
    "RESERVIA_LOGIN_FIRST_LOCK_SECONDS": 30,
    "RESERVIA_LOGIN_LONGEST_LOCK_MINUTES": 15,
    # Failed logins one client address may make in a minute, whatever the names; 0: no limit.
    "RESERVIA_LOGIN_ADDRESS_FAILURES_PER_MINUTE": 30,
    # The address people open Reservia at (https://reservia.example.org/reservia), for the
    # dashboard links in e-mails and webhooks; `python app.py` fills it in from its host and port.
    "RESERVIA_PUBLIC_URL": "",
    # Minutes before a hold ends at which its holder is warned (`expiring`); 0: no warning.
    "RESERVIA_EXPIRING_MINUTES": 2,
    # Hosts webhooks may be sent to, comma-separated: names, *.wildcards (* for any name), networks;
    # empty: any public host. Loopback, private, link-local and other inside addresses only when a
    # listed network contains them (a name never opens them): docs/configuration.md.
    "RESERVIA_WEBHOOK_HOSTS": "",
    # Seconds a webhook receiver has to answer before the attempt counts as failed.
    "RESERVIA_WEBHOOK_TIMEOUT": 5,
    # Days notification events and their deliveries are kept (the webhooks' delivery lists).
    "RESERVIA_NOTIFICATION_DAYS": 30,
    # Days audit log entries are kept (docs/audit.md); older ones are pruned by the delivery worker,
    # once an hour, behind a checkpoint signed with the secret key. 0: keep them all.
    "RESERVIA_AUDIT_DAYS": 400,
    # Seconds the delivery worker waits between looks for work.
    "RESERVIA_DELIVERY_INTERVAL": 2,
    # E-mail: empty host means no e-mail. Security: starttls, tls (SMTPS) or none.
    "RESERVIA_SMTP_HOST": "",
    "RESERVIA_SMTP_PORT": 587,
    "RESERVIA_SMTP_SECURITY": "starttls",
    "RESERVIA_SMTP_USER": "",
    "RESERVIA_SMTP_PASSWORD": "",
    "RESERVIA_SMTP_FROM": "reservia@localhost",
    "RESERVIA_SMTP_TIMEOUT": 10,
    # How people sign in (docs/sign-in.md): local (passwords Reservia keeps), remote_user (Apache
    # signs them in and passes REMOTE_USER) or ldap (the login form checks passwords with the directory).
    "RESERVIA_AUTH": "local",
    # remote_user: "alice@CORP.EXAMPLE" signs in as "alice".
    "RESERVIA_REMOTE_USER_STRIP_REALM": True,
    # Environment variables Apache's sign-in module sets, comma-separated, the first one present wins:
    # the defaults name those of mod_authnz_ldap, mod_auth_mellon and mod_auth_openidc.
    "RESERVIA_REMOTE_USER_EMAIL_VAR": "AUTHENTICATE_MAIL,MELLON_mail,OIDC_CLAIM_email",
    "RESERVIA_REMOTE_USER_NAME_VAR": "AUTHENTICATE_CN,MELLON_displayName,MELLON_cn,OIDC_CLAIM_name",
    "RESERVIA_REMOTE_USER_GROUPS_VAR": "AUTHENTICATE_MEMBEROF,MELLON_groups,OIDC_CLAIM_groups",
    "RESERVIA_REMOTE_USER_GROUPS_SEPARATOR": ";",
    # Where people end their intranet sign-in (the SSO's logout page); shown when they log out.
    "RESERVIA_REMOTE_USER_LOGOUT_URL": "",
    # Groups (comma-separated names) whose members are administrators, checked at every sign-in;
    # and, when set, the only groups whose members may sign in through the intranet at all.
    "RESERVIA_ADMIN_GROUPS": "",
    "RESERVIA_ALLOWED_GROUPS": "",
    # With remote_user or ldap, who may still use Reservia's own passwords on the login form:
    # admins (local administrators, for when the intranet sign-in is broken), all, or off.
    "RESERVIA_LOCAL_LOGIN": "admins",
    # ldap: the directory, how to find a user's entry and groups (docs/sign-in.md).
    "RESERVIA_LDAP_URL": "ldap://127.0.0.1:3890",
    "RESERVIA_LDAP_STARTTLS": False,
    "RESERVIA_LDAP_CA_FILE": "",
    # A service account that searches users' entries; a DN holding {name} is bound to as the user
    # instead (uid={name},ou=people,dc=example,dc=org); empty searches anonymously.
    "RESERVIA_LDAP_BIND_DN": "",
    "RESERVIA_LDAP_BIND_PASSWORD": "",
    "RESERVIA_LDAP_USER_BASE": "",
    "RESERVIA_LDAP_USER_FILTER": "(uid={name})",
    "RESERVIA_LDAP_EMAIL_ATTRIBUTE": "mail",
    "RESERVIA_LDAP_NAME_ATTRIBUTE": "cn",
    # Empty: groups from the entry's memberOf; else searched here ({dn} and {name} filled in).
    "RESERVIA_LDAP_GROUP_BASE": "",
    "RESERVIA_LDAP_GROUP_FILTER": "(member={dn})",
    # Seconds to connect and to wait for each answer of the directory.
    "RESERVIA_LDAP_TIMEOUT": 5,
    # Networks (comma-separated CIDRs) allowed to scrape /metrics without signing in; empty: none.
    # Checked against the client's address as Reservia sees it: behind a reverse proxy that is the
    # proxy's, unless RESERVIA_PROXIES says how many proxies to look through (docs/observability.md).
    "RESERVIA_METRICS_NETWORKS": "",
    # A health check set without them: seconds between its tries, seconds its target has to answer,
    # and failures in a row before its resource goes into maintenance.
    "RESERVIA_HEALTH_INTERVAL": 60,
    "RESERVIA_HEALTH_TIMEOUT": 5,
    "RESERVIA_HEALTH_FAILURES": 3,
    # Adds `Server-Timing: cpu;dur=MS` to every answer: the CPU time the request's thread spent in
    # Reservia, which the benchmark sums by kind of request. Off: the header would tell anyone how
    # costly each page is.
    "RESERVIA_SERVER_TIMING": False,
}
