"""HTTP views, one blueprint per area: info, session, admin, reservation."""
