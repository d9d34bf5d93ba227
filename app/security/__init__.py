"""Where Chainlit's own routes and socket meet ours: origins, sessions we own, headers, sign-in throttling."""
