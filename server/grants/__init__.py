"""Phone-rating grants: the signed tokens a kiosk shows in its QR code (issued with every
sync answer) and the phone pages verify. Below both ingest and mobile, so neither imports
the other for them."""
