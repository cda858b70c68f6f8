"""Printed receipts: what a receipt says, the narrow Printer interface, a Qt print-system
printer (CUPS and PDF), an ESC/POS thermal printer, and the spooler that prints off the GUI
thread so that no printer can block or slow a citizen's flow."""
