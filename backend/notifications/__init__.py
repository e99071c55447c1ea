"""Telling people what happened to their reservations: the text of each event, the bodies sent to
webhooks and mailboxes, the senders, and the delivery worker that runs them outside any request."""
