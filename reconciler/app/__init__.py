"""Orchestration, the imperative shell (octoDNS's Manager, in small pieces):
load -> read -> plan (session), preflight, execute, report, saved plans,
the apply lock, announcements, import."""
