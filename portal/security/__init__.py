"""Account and request hardening: brute-force lockout, headers, MFA, sessions."""
