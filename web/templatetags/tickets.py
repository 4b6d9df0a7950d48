"""The ticket page's QR code of the PNR, the same code the PDF e-ticket carries (`bookings.tickets`)."""

from django import template
from django.utils.safestring import mark_safe

from bookings.tickets import QR_BORDER, pnr_qr

register = template.Library()


@register.simple_tag
def pnr_qr_svg(pnr: str) -> str:
    """The QR code as inline SVG: black on white with its quiet zone, so it prints and scans."""
    svg = pnr_qr(pnr).svg_inline(scale=4, border=QR_BORDER, dark="#000", light="#fff", svgclass="qr-code")
    return mark_safe(svg)  # segno's own markup; the PNR is ten digits, checked on the way in
