"""The consultation conclusion (консультативное заключение): its printable PDF/DOCX documents and signatures."""
