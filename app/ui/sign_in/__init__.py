"""Sign-up and sign-in with an SMS one-time code."""
