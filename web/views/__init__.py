"""The browser pages, one module per area: catalog (home, browse, ideas), scenes (watch,
bible, continue, create), accounts (sign up/in/out, reset, profile) and work (projects,
invitations, jobs)."""
