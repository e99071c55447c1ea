"""HTTP plumbing shared by every view: the Flask class, cookies and sign-in, hooks around each
request, errors turned into answers, and the helpers that answer scripts and browsers alike."""
