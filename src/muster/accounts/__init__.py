"""Signing in: a password, then a 6-digit code from an authenticator app, for everyone.

Issue "People, roles and trust", sign-in security. Every page but the sign-in pages needs a
session verified by both (`middleware.VerifiedSignInRequiredMiddleware`; the admin checks again
in `admin_site.VerifiedAdminSite`). A username is locked for 15 minutes after 5 wrong passwords
or codes in 15 minutes (`lockout`); sessions end when idle or old (`middleware`).
"""
