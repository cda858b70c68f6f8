"""Telling people about alerts: the outbox written with each alert event, the channels
(apprise URLs, chat-robot relays, SMS) and the background delivery job."""
