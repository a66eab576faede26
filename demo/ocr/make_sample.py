#!/usr/bin/python3
"""Renders demo/ocr/sample.png, the bundled OCR sample (Debian python3-pil + fonts-dejavu)."""
from PIL import Image, ImageDraw, ImageFont

FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf'
BOLD = '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf'
img = Image.new('RGB', (720, 360), (250, 248, 240))
draw = ImageDraw.Draw(img)
regular, bold = ImageFont.truetype(FONT, 30), ImageFont.truetype(BOLD, 36)
lines = [("WISP COFFEE HOUSE", bold, (40, 30)), ("2 Espresso      7.00", regular, (40, 100)),
         ("1 Croissant     3.50", regular, (40, 150)), ("Total          10.50", regular, (40, 200)),
         ("Thank you for visiting!", regular, (40, 270))]
for text, font, position in lines:
    draw.text(position, text, fill=(20, 20, 30), font=font)
img.save('sample.png', optimize=True)
