"""Units, people, memberships with roles, and the responsibility rules that route cases."""
