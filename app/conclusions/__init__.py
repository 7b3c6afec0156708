"""The consultation conclusion (консультативное заключение) as a printable PDF and DOCX document."""
