"""Waymark on a phone: installable (a web app manifest and a service worker), today's check-in
kept on the phone while offline, and one tap to the people in the person's plan and the crisis
lines. docs/phone.md says how a person uses it; docs/architecture.md how it is built.

What the service worker keeps (waymark/templates/waymark/phone/sw.js): the static files and a
public offline page for everyone; the signed-in person's check-in and call pages only for
them, dropped when a signed-out page is seen and at sign-out, which also deletes the
check-ins waiting on the phone (`clears_this_device`)."""
