"""Announcements: staff write news for subscribers, a second person approves, the bot sends."""
