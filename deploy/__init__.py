"""The Apache site (reservia.conf, reservia.wsgi) and a helper that runs it privately, for the
deployment tests and the benchmark."""
