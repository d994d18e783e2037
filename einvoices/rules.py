"""The EN 16931 / XRechnung business rules Lexhub checks, by id: German and English text and severity.

Texts take `{…}` placeholders filled by the check; both languages are data here (a finding carries both and is
stored so), not gettext strings: the page picks the one of the reader's language.
"""

ERROR, WARNING = "error", "warning"

RULES: dict[str, tuple[str, str, str]] = {
    "XSD": (
        ERROR,
        "Die XML-Datei entspricht nicht dem Schema (XSD): {detail}",
        "The XML does not match its schema (XSD): {detail}",
    ),
    "BR-01": (ERROR, "Die Spezifikationskennung (BT-24) fehlt.", "The specification identifier (BT-24) is missing."),
    "BR-02": (ERROR, "Die Rechnungsnummer (BT-1) fehlt.", "The invoice number (BT-1) is missing."),
    "BR-03": (
        ERROR,
        "Das Rechnungsdatum (BT-2) fehlt oder ist ungültig.",
        "The issue date (BT-2) is missing or invalid.",
    ),
    "BR-04": (ERROR, "Der Rechnungstyp (BT-3) fehlt.", "The invoice type code (BT-3) is missing."),
    "BR-05": (ERROR, "Die Rechnungswährung (BT-5) fehlt.", "The invoice currency (BT-5) is missing."),
    "BR-06": (ERROR, "Der Name des Verkäufers (BT-27) fehlt.", "The seller's name (BT-27) is missing."),
    "BR-07": (ERROR, "Der Name des Käufers (BT-44) fehlt.", "The buyer's name (BT-44) is missing."),
    "BR-09": (ERROR, "Das Land des Verkäufers (BT-40) fehlt.", "The seller's country (BT-40) is missing."),
    "BR-11": (ERROR, "Das Land des Käufers (BT-55) fehlt.", "The buyer's country (BT-55) is missing."),
    "BR-12": (ERROR, "Die Summe der Positionen (BT-106) fehlt.", "The sum of line net amounts (BT-106) is missing."),
    "BR-13": (ERROR, "Der Nettobetrag (BT-109) fehlt.", "The total without VAT (BT-109) is missing."),
    "BR-14": (ERROR, "Der Bruttobetrag (BT-112) fehlt.", "The total with VAT (BT-112) is missing."),
    "BR-15": (ERROR, "Der fällige Betrag (BT-115) fehlt.", "The amount due (BT-115) is missing."),
    "BR-16": (ERROR, "Die Rechnung hat keine Position.", "The invoice has no line."),
    "BR-21": (
        ERROR,
        "Position {line}: die Positionsnummer (BT-126) fehlt.",
        "Line {line}: the line id (BT-126) is missing.",
    ),
    "BR-22": (ERROR, "Position {line}: die Menge (BT-129) fehlt.", "Line {line}: the quantity (BT-129) is missing."),
    "BR-23": (
        ERROR,
        "Position {line}: die Mengeneinheit (BT-130) fehlt.",
        "Line {line}: the unit (BT-130) is missing.",
    ),
    "BR-24": (
        ERROR,
        "Position {line}: der Nettobetrag (BT-131) fehlt.",
        "Line {line}: the net amount (BT-131) is missing.",
    ),
    "BR-25": (
        ERROR,
        "Position {line}: die Bezeichnung (BT-153) fehlt.",
        "Line {line}: the item name (BT-153) is missing.",
    ),
    "BR-26": (
        ERROR,
        "Position {line}: der Nettopreis (BT-146) fehlt.",
        "Line {line}: the net price (BT-146) is missing.",
    ),
    "BR-27": (ERROR, "Position {line}: der Nettopreis ist negativ.", "Line {line}: the net price is negative."),
    "BR-CO-4": (
        ERROR,
        "Position {line}: die Steuerkategorie (BT-151) fehlt.",
        "Line {line}: the VAT category (BT-151) is missing.",
    ),
    "BR-CO-9": (
        WARNING,
        "Die USt-IdNr. {vat} beginnt nicht mit einem Ländercode.",
        "The VAT id {vat} does not start with a country code.",
    ),
    "BR-CO-10": (
        ERROR,
        "Die Summe der Positionen ist {found}, die Positionen ergeben {expected}.",
        "The sum of line net amounts says {found}; the lines add up to {expected}.",
    ),
    "BR-CO-11": (
        ERROR,
        "Die Summe der Nachlässe ist {found}, die Nachlässe ergeben {expected}.",
        "The sum of allowances says {found}; the allowances add up to {expected}.",
    ),
    "BR-CO-12": (
        ERROR,
        "Die Summe der Zuschläge ist {found}, die Zuschläge ergeben {expected}.",
        "The sum of charges says {found}; the charges add up to {expected}.",
    ),
    "BR-CO-13": (
        ERROR,
        "Der Nettobetrag ist {found}, erwartet: Positionen - Nachlässe + Zuschläge = {expected}.",
        "The total without VAT says {found}; lines - allowances + charges = {expected}.",
    ),
    "BR-CO-14": (
        ERROR,
        "Die Umsatzsteuer ist {found}, die Aufschlüsselung ergibt {expected}.",
        "The VAT total says {found}; the VAT breakdown adds up to {expected}.",
    ),
    "BR-CO-15": (
        ERROR,
        "Der Bruttobetrag ist {found}, erwartet: Netto + Umsatzsteuer = {expected}.",
        "The total with VAT says {found}; net + VAT = {expected}.",
    ),
    "BR-CO-16": (
        ERROR,
        "Der fällige Betrag ist {found}, erwartet: Brutto - Vorauszahlung + Rundung = {expected}.",
        "The amount due says {found}; gross - prepaid + rounding = {expected}.",
    ),
    "BR-CO-17": (
        ERROR,
        "Steuer zu {rate} %: {found} ausgewiesen, {expected} errechnet.",
        "VAT at {rate} %: {found} stated, {expected} calculated.",
    ),
    "BR-CO-18": (ERROR, "Die Umsatzsteuer-Aufschlüsselung fehlt.", "The VAT breakdown is missing."),
    "BR-CO-25": (
        ERROR,
        "Ein Betrag ist fällig, aber weder Fälligkeitsdatum noch Zahlungsbedingungen sind angegeben.",
        "An amount is due, but neither a due date nor payment terms are given.",
    ),
    "BR-CAT-01": (
        ERROR,
        "Positionen mit Steuerkategorie {category} ({rate} %) fehlen in der Aufschlüsselung.",
        "Lines with VAT category {category} ({rate} %) have no entry in the VAT breakdown.",
    ),
    "BR-CAT-08": (
        ERROR,
        "Bemessungsgrundlage für {category} ({rate} %) ist {found}, die Positionen ergeben {expected}.",
        "Taxable amount for {category} ({rate} %) says {found}; lines, allowances and charges give {expected}.",
    ),
    "BR-CAT-09": (
        ERROR,
        "Bei Steuerkategorie {category} muss die Steuer 0 sein, ausgewiesen sind {found}.",
        "VAT category {category} must carry zero VAT; {found} is stated.",
    ),
    "BR-CAT-10": (
        ERROR,
        "Bei Steuerkategorie {category} fehlt der Befreiungsgrund (BT-120/BT-121).",
        "VAT category {category} needs an exemption reason (BT-120/BT-121).",
    ),
    "BR-AE-02": (
        ERROR,
        "Reverse Charge (AE): USt-IdNr. von Verkäufer und Käufer sind nötig.",
        "Reverse charge (AE): the seller's and the buyer's VAT ids are required.",
    ),
    "BR-K-02": (
        ERROR,
        "Innergemeinschaftliche Lieferung (K): USt-IdNr. von Verkäufer und Käufer sind nötig.",
        "Intra-community supply (K): the seller's and the buyer's VAT ids are required.",
    ),
    "BR-DE-15": (
        ERROR,
        "XRechnung: die Käuferreferenz / Leitweg-ID (BT-10) fehlt.",
        "XRechnung: the buyer reference / Leitweg-ID (BT-10) is missing.",
    ),
    "BR-DE-1": (
        WARNING,
        "XRechnung: Zahlungsanweisungen (BG-16) fehlen.",
        "XRechnung: payment instructions (BG-16) are missing.",
    ),
}
