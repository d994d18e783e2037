"""Documents as Lexhub handles them: what a received file is, and the file Lexoffice is sent.

formats.py  what the bytes are (PDF, PNG, JPEG, HEIC/HEIF) and where an image's own data ends
prepare.py  a received file made sendable: images decoded (bombs refused), HEIC to JPEG, EXIF rotation
            applied, trailing data trimmed, fitted under 5 MiB; PDFs parsed, encrypted ones refused
"""
