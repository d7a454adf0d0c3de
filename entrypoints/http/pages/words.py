"""The words of the pages, in French (the seed's language, and the default), Dutch and English."""

from __future__ import annotations

import re

DEFAULT_LANGUAGE = "fr"
LANGUAGE_RANGE = re.compile(
    r"^\s*([a-zA-Z]{1,8})(?:-[a-zA-Z0-9]{1,8})*\s*(?:;\s*q\s*=\s*([01](?:\.\d{0,3})?))?\s*$"
)

WORDS: dict[str, dict[str, str]] = {
    "fr": {
        "title_extension": "Extension Octopus",
        "title_client": "Intégration Octopus du client",
        "title_error": "Octopus",
        # What waits for a person (R26): the extension page's list and the client page's refusal.
        "attention_heading": "À traiter",
        "attention_mailboxRefused": "Octopus refuse l’adresse de ce client : 1 document attend une "
        "nouvelle adresse (depuis le {since}).",
        "attention_mailboxRefused_many": "Octopus refuse l’adresse de ce client : {count} documents "
        "attendent une nouvelle adresse (le premier depuis le {since}).",
        "attention_failedExports": "1 document n’a pas pu être exporté (le {since}).",
        "attention_failedExports_many": "{count} documents n’ont pas pu être exportés (le premier le "
        "{since}).",
        "attention_dossierWithoutVat": "Son dossier Octopus n’a pas de numéro de TVA : Octopus ne traite "
        "rien pour ce dossier.",
        "attention_needsReconnect": "Octopus a mis fin à la connexion : connectez-vous à nouveau.",
        "refusal_heading": "Octopus refuse l’adresse de ce client",
        "refusal_text": "Le {at}, le serveur d’Octopus a refusé la boîte {mailbox} : la structure du "
        "dossier a sans doute changé dans Octopus, et son adresse avec elle.",
        "refusal_reply": "Réponse du serveur :",
        "refusal_export": "Document refusé :",
        "refusal_next": "Les documents suivants de ce client attendent. Copiez la nouvelle adresse depuis "
        "Octopus dans le champ ci-dessous (ou enregistrez la même si elle fonctionne à nouveau) : tout ce "
        "qui attendait partira vers elle.",
        "state_heading": "Connexion à Octopus",
        "state_installed": "Pas encore connecté à Octopus.",
        "state_connected": "Connecté à Octopus.",
        "state_needsReconnect": "Octopus a mis fin à la connexion : connectez-vous à nouveau. "
        "Les documents continuent de partir en attendant.",
        "not_installed": "L’extension Octopus n’est pas installée. Dans votre Espace Partenaire, ouvrez le "
        "lanceur d’applications, cliquez sur Découvrir plus, cherchez « Octopus » et cliquez sur Installer.",
        "connect": "Se connecter avec Octopus",
        "connected_now": "L’installation est réussie : Octopus est connecté.",
        "connect_failed": "La connexion à Octopus n’a pas abouti.",
        "connect_cancelled": "La connexion a été annulée chez Octopus.",
        "reason": "Raison :",
        "manage": "Gérer",
        "active": "Actif",
        "active_hint": "Les documents approuvés ou envoyés sont exportés vers Octopus tant que l’extension "
        "est active.",
        "save": "Enregistrer",
        "confirm_heading": "Confirmez votre choix",
        "confirm_off": "Désactiver l’extension arrête les exportations vers Octopus pour tous vos clients. "
        "Les documents approuvés ou envoyés pendant qu’elle est désactivée ne seront jamais exportés.",
        "confirm_off_button": "Désactiver pour tous les clients",
        "cancel": "Annuler",
        "switched_on": "L’extension est active : les exportations reprennent.",
        "switched_off": "L’extension est désactivée : plus aucun document n’est exporté.",
        "is_active": "Active depuis le",
        "is_inactive": "Désactivée : aucun document n’est exporté.",
        "client": "Client",
        "add_integration": "Ajouter une intégration",
        "integration": "Intégration Octopus",
        "integration_active": "Active : les documents de ce client sont exportés vers",
        "integration_inactive": "Inactive : les documents de ce client ne sont pas exportés.",
        "dossier": "Dossier Octopus",
        "dossier_none": "— Aucun : je saisis l’adresse —",
        "dossier_hint": "Choisissez le dossier dans lequel enregistrer les documents.",
        "dossiers_unavailable": "Connectez-vous avec Octopus pour choisir un dossier dans la liste.",
        "vat_unknown": "sans numéro de TVA",
        "mailbox": "Adresse e-mail du dossier Octopus",
        "mailbox_hint": "Dans Octopus, Gestion > Dossiers, champ Adresse e-mail. Laissez vide pour prendre "
        "l’adresse du dossier choisi.",
        "vat_number": "Numéro de TVA du client",
        "vat_hint": "Facultatif : comparé à celui du dossier.",
        "save_configuration": "Enregistrer la configuration",
        "saved": "Configuration enregistrée.",
        "mailbox_needed": "Saisissez l’adresse e-mail du dossier, ou choisissez un dossier qui en a une.",
        "mailbox_invalid": "Cette adresse e-mail n’est pas valable",
        "vat_invalid": "Ce numéro de TVA n’est pas valable",
        "dossier_unknown": "Ce dossier n’existe pas dans le compte Octopus connecté.",
        "install_first": "Installez l’extension avant d’activer un client.",
        "warning_mailbox-not-octopus-import": "Ce n’est pas une adresse d’import de dossier Octopus "
        "(uid-…@import.octopus.be) : vérifiez que c’est bien l’adresse e-mail du dossier.",
        "warning_dossier-without-vat-number": "Le dossier Octopus n’a pas de numéro de TVA : Octopus ne "
        "traitera aucun document.",
        "warning_dossier-vat-mismatch": "Le numéro de TVA du dossier Octopus diffère de celui du client.",
        "warning_dossier-not-checked": "Le dossier Octopus n’a pas pu être vérifié pour l’instant.",
        "history": "Historique des adresses",
        "since": "depuis le",
        "exports": "Documents exportés",
        "exports_none": "Aucun document pour l’instant.",
        "status_filter": "Statut",
        "status_all": "Tous",
        "filter": "Filtrer",
        "document": "Document",
        "created": "Reçu le",
        "status": "Statut",
        "details": "Détails",
        "status_queued": "En attente",
        "status_delivered": "Livré",
        "status_failed": "Échec",
        "status_skipped": "Non exporté",
        "kind_invoice": "Facture",
        "kind_creditNote": "Note de crédit",
        "direction_purchase": "achat",
        "direction_sales": "vente",
        "delivered_at": "Livré le",
        "message_id": "Message-ID :",
        "invalid_document": "Le document ne respecte pas les règles Peppol BIS 3 et n’a pas été envoyé :",
        "last_answer": "Dernière réponse :",
        "held_mailboxRefused": "Attend la nouvelle adresse de ce client : rien n’est envoyé à l’adresse "
        "refusée.",
        "skip_before-activation": "Approuvé ou envoyé avant l’activation : les documents historiques ne "
        "sont pas exportés.",
        "skip_extension-inactive": "L’extension était désactivée à ce moment.",
        "skip_client-inactive": "L’intégration de ce client était inactive à ce moment.",
        "retry": "Réessayer",
        "retry_label": "Réessayer l’export du document",
        "retried": "L’export est remis en file d’attente.",
        "deactivate": "Désactiver pour ce client",
        "deactivated": "L’intégration de ce client est désactivée : ses documents ne sont plus exportés. "
        "Enregistrez la configuration pour la réactiver.",
        "next_page": "Page suivante",
        "first_page": "Plus récents",
        "no_session": "Cette page s’ouvre depuis Banqup. Ouvrez l’extension Octopus depuis votre Espace "
        "Partenaire.",
        "forbidden": "Ce formulaire a expiré. Rechargez la page et recommencez.",
        "not_found": "Cette page n’existe pas.",
        "conflict": "Ce n’est pas possible maintenant",
        "unavailable": "Le service est momentanément indisponible. Réessayez dans un instant.",
        "failure": "Une erreur s’est produite de notre côté ; elle a été enregistrée.",
        "login_elsewhere": "Cette connexion à Octopus a été commencée dans un autre navigateur, ou a expiré. "
        "Recommencez depuis l’extension dans Banqup.",
        "backfill_heading": "Exporter des documents antérieurs",
        "backfill_hint": "Les achats approuvés et les ventes envoyées entre ces deux jours (au plus 400 "
        "jours en arrière) partent vers l’adresse actuelle, chacun une seule fois, après les nouveaux "
        "documents.",
        "backfill_from": "Du",
        "backfill_to": "Au (aujourd’hui si vide)",
        "backfill_start": "Exporter ces documents",
        "backfill_days": "du",
        "backfill_running": "En cours",
        "backfill_done": "Terminé",
        "backfill_failed": "Échoué",
        "backfill_listed": "Documents trouvés",
        "backfill_queued": "Mis en file d’attente",
        "backfill_already_exported": "Déjà exportés",
        "backfill_ignored": "Ignorés (retirés depuis)",
        "backfill_refresh": "Actualiser",
        "backfill_date_invalid": "Date non valable",
        "backfill_date_missing": "Indiquez le premier jour.",
        "backfill_day_format": "AAAA-MM-JJ",
        "back": "Retour à l’extension",
    },
    "nl": {
        "title_extension": "Octopus-extensie",
        "title_client": "Octopus-integratie van de klant",
        "title_error": "Octopus",
        # What waits for a person (R26): the extension page's list and the client page's refusal.
        "attention_heading": "Vraagt aandacht",
        "attention_mailboxRefused": "Octopus weigert het adres van deze klant: 1 document wacht op een nieuw "
        "adres (sinds {since}).",
        "attention_mailboxRefused_many": "Octopus weigert het adres van deze klant: {count} documenten "
        "wachten op een nieuw adres (het eerste sinds {since}).",
        "attention_failedExports": "1 document kon niet worden geëxporteerd ({since}).",
        "attention_failedExports_many": "{count} documenten konden niet worden geëxporteerd (het eerste op "
        "{since}).",
        "attention_dossierWithoutVat": "Het Octopus-dossier heeft geen btw-nummer: Octopus verwerkt niets "
        "voor dit dossier.",
        "attention_needsReconnect": "Octopus heeft de verbinding beëindigd: maak opnieuw verbinding.",
        "refusal_heading": "Octopus weigert het adres van deze klant",
        "refusal_text": "Op {at} weigerde de server van Octopus de mailbox {mailbox}: de structuur van het "
        "dossier is wellicht gewijzigd in Octopus, en het adres mee.",
        "refusal_reply": "Antwoord van de server:",
        "refusal_export": "Geweigerd document:",
        "refusal_next": "De volgende documenten van deze klant wachten. Kopieer het nieuwe adres uit Octopus "
        "in het veld hieronder (of bewaar hetzelfde als het weer werkt): alles wat wachtte, gaat ernaartoe.",
        "state_heading": "Verbinding met Octopus",
        "state_installed": "Nog niet verbonden met Octopus.",
        "state_connected": "Verbonden met Octopus.",
        "state_needsReconnect": "Octopus heeft de verbinding beëindigd: maak opnieuw verbinding. "
        "Documenten worden intussen verder verstuurd.",
        "not_installed": "De Octopus-extensie is niet geïnstalleerd. Open in uw Partner Space het "
        "app-menu, klik op Meer ontdekken, zoek „Octopus” en klik op Installeren.",
        "connect": "Verbinden met Octopus",
        "connected_now": "De installatie is gelukt: Octopus is verbonden.",
        "connect_failed": "De verbinding met Octopus is niet gelukt.",
        "connect_cancelled": "De verbinding werd bij Octopus geannuleerd.",
        "reason": "Reden:",
        "manage": "Beheren",
        "active": "Actief",
        "active_hint": "Goedgekeurde of verzonden documenten worden naar Octopus geëxporteerd zolang de "
        "extensie actief is.",
        "save": "Opslaan",
        "confirm_heading": "Bevestig uw keuze",
        "confirm_off": "De extensie uitschakelen stopt de exports naar Octopus voor al uw klanten. "
        "Documenten die worden goedgekeurd of verzonden terwijl ze uit staat, worden nooit geëxporteerd.",
        "confirm_off_button": "Uitschakelen voor alle klanten",
        "cancel": "Annuleren",
        "switched_on": "De extensie is actief: de exports worden hervat.",
        "switched_off": "De extensie is uitgeschakeld: er worden geen documenten meer geëxporteerd.",
        "is_active": "Actief sinds",
        "is_inactive": "Uitgeschakeld: er worden geen documenten geëxporteerd.",
        "client": "Klant",
        "add_integration": "Integratie toevoegen",
        "integration": "Octopus-integratie",
        "integration_active": "Actief: de documenten van deze klant worden geëxporteerd naar",
        "integration_inactive": "Inactief: de documenten van deze klant worden niet geëxporteerd.",
        "dossier": "Octopus-dossier",
        "dossier_none": "— Geen: ik typ het adres —",
        "dossier_hint": "Kies het dossier waarin de documenten moeten worden opgeslagen.",
        "dossiers_unavailable": "Maak verbinding met Octopus om een dossier uit de lijst te kiezen.",
        "vat_unknown": "zonder btw-nummer",
        "mailbox": "E-mailadres van het Octopus-dossier",
        "mailbox_hint": "In Octopus, Beheer > Dossiers, veld E-mailadres. Laat leeg om het adres van het "
        "gekozen dossier te nemen.",
        "vat_number": "Btw-nummer van de klant",
        "vat_hint": "Optioneel: wordt vergeleken met dat van het dossier.",
        "save_configuration": "Configuratie opslaan",
        "saved": "Configuratie opgeslagen.",
        "mailbox_needed": "Typ het e-mailadres van het dossier, of kies een dossier dat er een heeft.",
        "mailbox_invalid": "Dit e-mailadres is niet geldig",
        "vat_invalid": "Dit btw-nummer is niet geldig",
        "dossier_unknown": "Dit dossier bestaat niet in de verbonden Octopus-account.",
        "install_first": "Installeer de extensie voordat u een klant activeert.",
        "warning_mailbox-not-octopus-import": "Dit is geen importadres van een Octopus-dossier "
        "(uid-…@import.octopus.be): controleer of het het e-mailadres van het dossier is.",
        "warning_dossier-without-vat-number": "Het Octopus-dossier heeft geen btw-nummer: Octopus "
        "verwerkt dan geen enkel document.",
        "warning_dossier-vat-mismatch": "Het btw-nummer van het Octopus-dossier verschilt van dat van de "
        "klant.",
        "warning_dossier-not-checked": "Het Octopus-dossier kon nu niet worden gecontroleerd.",
        "history": "Geschiedenis van de adressen",
        "since": "sinds",
        "exports": "Geëxporteerde documenten",
        "exports_none": "Nog geen documenten.",
        "status_filter": "Status",
        "status_all": "Alle",
        "filter": "Filteren",
        "document": "Document",
        "created": "Ontvangen op",
        "status": "Status",
        "details": "Details",
        "status_queued": "In de wachtrij",
        "status_delivered": "Afgeleverd",
        "status_failed": "Mislukt",
        "status_skipped": "Niet geëxporteerd",
        "kind_invoice": "Factuur",
        "kind_creditNote": "Creditnota",
        "direction_purchase": "aankoop",
        "direction_sales": "verkoop",
        "delivered_at": "Afgeleverd op",
        "message_id": "Message-ID:",
        "invalid_document": "Het document voldoet niet aan de Peppol BIS 3-regels en werd niet verzonden:",
        "last_answer": "Laatste antwoord:",
        "held_mailboxRefused": "Wacht op het nieuwe adres van deze klant: niets wordt naar het geweigerde "
        "adres gestuurd.",
        "skip_before-activation": "Goedgekeurd of verzonden vóór de activering: historische documenten "
        "worden niet geëxporteerd.",
        "skip_extension-inactive": "De extensie was op dat moment uitgeschakeld.",
        "skip_client-inactive": "De integratie van deze klant was op dat moment inactief.",
        "retry": "Opnieuw proberen",
        "retry_label": "Export opnieuw proberen voor document",
        "retried": "De export staat opnieuw in de wachtrij.",
        "deactivate": "Uitschakelen voor deze klant",
        "deactivated": "De integratie van deze klant is uitgeschakeld: de documenten worden niet meer "
        "geëxporteerd. Sla de configuratie op om ze opnieuw te activeren.",
        "next_page": "Volgende pagina",
        "first_page": "Nieuwste",
        "no_session": "Deze pagina opent u vanuit Banqup. Open de Octopus-extensie vanuit uw Partner Space.",
        "forbidden": "Dit formulier is verlopen. Herlaad de pagina en probeer opnieuw.",
        "not_found": "Deze pagina bestaat niet.",
        "conflict": "Dat kan nu niet",
        "unavailable": "De dienst is tijdelijk niet beschikbaar. Probeer het zo meteen opnieuw.",
        "failure": "Er ging bij ons iets mis; het werd vastgelegd.",
        "login_elsewhere": "Deze aanmelding bij Octopus werd in een andere browser gestart, of is verlopen. "
        "Begin opnieuw vanuit de extensie in Banqup.",
        "backfill_heading": "Eerdere documenten exporteren",
        "backfill_hint": "De aankopen goedgekeurd en de verkopen verzonden tussen deze twee dagen (hoogstens "
        "400 dagen terug) gaan naar het huidige adres, elk één keer, na de nieuwe documenten.",
        "backfill_from": "Van",
        "backfill_to": "Tot (vandaag indien leeg)",
        "backfill_start": "Deze documenten exporteren",
        "backfill_days": "van",
        "backfill_running": "Bezig",
        "backfill_done": "Klaar",
        "backfill_failed": "Mislukt",
        "backfill_listed": "Gevonden documenten",
        "backfill_queued": "In de wachtrij gezet",
        "backfill_already_exported": "Al geëxporteerd",
        "backfill_ignored": "Genegeerd (sindsdien ingetrokken)",
        "backfill_refresh": "Vernieuwen",
        "backfill_date_invalid": "Ongeldige datum",
        "backfill_date_missing": "Geef de eerste dag op.",
        "backfill_day_format": "JJJJ-MM-DD",
        "back": "Terug naar de extensie",
    },
    "en": {
        "title_extension": "Octopus extension",
        "title_client": "Client's Octopus integration",
        "title_error": "Octopus",
        # What waits for a person (R26): the extension page's list and the client page's refusal.
        "attention_heading": "Needs attention",
        "attention_mailboxRefused": "Octopus refuses this client's address: 1 document waits for a new "
        "address (since {since}).",
        "attention_mailboxRefused_many": "Octopus refuses this client's address: {count} documents wait "
        "for a new address (the first since {since}).",
        "attention_failedExports": "1 document could not be exported ({since}).",
        "attention_failedExports_many": "{count} documents could not be exported (the first on {since}).",
        "attention_dossierWithoutVat": "Its Octopus dossier has no VAT number: Octopus processes nothing for "
        "that dossier.",
        "attention_needsReconnect": "Octopus ended the connection: connect again.",
        "refusal_heading": "Octopus refuses this client's address",
        "refusal_text": "On {at}, Octopus's server refused the mailbox {mailbox}: the dossier's structure "
        "has probably changed in Octopus, and its address with it.",
        "refusal_reply": "The server's reply:",
        "refusal_export": "Refused document:",
        "refusal_next": "This client's next documents wait. Copy the new address from Octopus into the field "
        "below (or save the same one if it works again): everything that waited goes to it.",
        "state_heading": "Connection to Octopus",
        "state_installed": "Not connected to Octopus yet.",
        "state_connected": "Connected to Octopus.",
        "state_needsReconnect": "Octopus ended the connection: connect again. Documents keep going out "
        "meanwhile.",
        "not_installed": "The Octopus extension is not installed. In your Partner Space, open the app "
        "launcher, click Discover more, search for “Octopus” and click Install.",
        "connect": "Connect with Octopus",
        "connected_now": "The installation succeeded: Octopus is connected.",
        "connect_failed": "Connecting to Octopus did not succeed.",
        "connect_cancelled": "The connection was cancelled at Octopus.",
        "reason": "Reason:",
        "manage": "Manage",
        "active": "Active",
        "active_hint": "Documents approved or sent are exported to Octopus while the extension is active.",
        "save": "Save",
        "confirm_heading": "Confirm your choice",
        "confirm_off": "Turning the extension off stops exports to Octopus for all your clients. Documents "
        "approved or sent while it is off will never be exported.",
        "confirm_off_button": "Turn off for all clients",
        "cancel": "Cancel",
        "switched_on": "The extension is active: exports resume.",
        "switched_off": "The extension is off: no document is exported any more.",
        "is_active": "Active since",
        "is_inactive": "Off: no document is exported.",
        "client": "Client",
        "add_integration": "Add integration",
        "integration": "Octopus integration",
        "integration_active": "Active: this client's documents are exported to",
        "integration_inactive": "Inactive: this client's documents are not exported.",
        "dossier": "Octopus dossier",
        "dossier_none": "— None: I type the address —",
        "dossier_hint": "Pick the dossier the documents must be stored in.",
        "dossiers_unavailable": "Connect with Octopus to pick a dossier from the list.",
        "vat_unknown": "no VAT number",
        "mailbox": "E-mail address of the Octopus dossier",
        "mailbox_hint": "In Octopus, Management > Dossiers, field E-mail address. Leave empty to take the "
        "address of the dossier picked.",
        "vat_number": "Client's VAT number",
        "vat_hint": "Optional: compared with the dossier's.",
        "save_configuration": "Save configuration",
        "saved": "Configuration saved.",
        "mailbox_needed": "Type the dossier's e-mail address, or pick a dossier that has one.",
        "mailbox_invalid": "This e-mail address is not valid",
        "vat_invalid": "This VAT number is not valid",
        "dossier_unknown": "This dossier does not exist in the connected Octopus account.",
        "install_first": "Install the extension before activating a client.",
        "warning_mailbox-not-octopus-import": "This is not an Octopus dossier import address "
        "(uid-…@import.octopus.be): check that it is the dossier's e-mail address.",
        "warning_dossier-without-vat-number": "The Octopus dossier has no VAT number: Octopus will process "
        "no document.",
        "warning_dossier-vat-mismatch": "The Octopus dossier's VAT number differs from the client's.",
        "warning_dossier-not-checked": "The Octopus dossier could not be checked now.",
        "history": "Address history",
        "since": "since",
        "exports": "Exported documents",
        "exports_none": "No documents yet.",
        "status_filter": "Status",
        "status_all": "All",
        "filter": "Filter",
        "document": "Document",
        "created": "Received",
        "status": "Status",
        "details": "Details",
        "status_queued": "Queued",
        "status_delivered": "Delivered",
        "status_failed": "Failed",
        "status_skipped": "Not exported",
        "kind_invoice": "Invoice",
        "kind_creditNote": "Credit note",
        "direction_purchase": "purchase",
        "direction_sales": "sales",
        "delivered_at": "Delivered",
        "message_id": "Message-ID:",
        "invalid_document": "The document does not meet the Peppol BIS 3 rules and was not sent:",
        "last_answer": "Last answer:",
        "held_mailboxRefused": "Waits for this client's new address: nothing is sent to the refused one.",
        "skip_before-activation": "Approved or sent before the activation: historical documents are not "
        "exported.",
        "skip_extension-inactive": "The extension was off at that moment.",
        "skip_client-inactive": "This client's integration was inactive at that moment.",
        "retry": "Retry",
        "retry_label": "Retry the export of document",
        "retried": "The export is back in the queue.",
        "deactivate": "Turn off for this client",
        "deactivated": "This client's integration is off: its documents are no longer exported. "
        "Save the configuration to turn it on again.",
        "next_page": "Next page",
        "first_page": "Newest",
        "no_session": "This page opens from Banqup. Open the Octopus extension from your Partner Space.",
        "forbidden": "This form has expired. Reload the page and try again.",
        "not_found": "This page does not exist.",
        "conflict": "That is not possible now",
        "unavailable": "The service is unavailable for a moment. Try again shortly.",
        "failure": "Something went wrong on our side; it has been logged.",
        "login_elsewhere": "This Octopus login was started in another browser, or has expired. "
        "Start again from the extension in Banqup.",
        "backfill_heading": "Export earlier documents",
        "backfill_hint": "Purchases approved and sales sent between these two days (at most 400 days back) "
        "go to the current address, each once, after the new documents.",
        "backfill_from": "From",
        "backfill_to": "To (today if empty)",
        "backfill_start": "Export these documents",
        "backfill_days": "from",
        "backfill_running": "Running",
        "backfill_done": "Done",
        "backfill_failed": "Failed",
        "backfill_listed": "Documents found",
        "backfill_queued": "Queued",
        "backfill_already_exported": "Already exported",
        "backfill_ignored": "Ignored (withdrawn since)",
        "backfill_refresh": "Refresh",
        "backfill_date_invalid": "Not a valid date",
        "backfill_date_missing": "Give the first day.",
        "backfill_day_format": "YYYY-MM-DD",
        "back": "Back to the extension",
    },
}


def supported(language: str | None) -> str | None:
    """`language` if the pages speak it (`fr-BE` counts as `fr`), else None."""
    if not language:
        return None
    primary = language.split("-", 1)[0].strip().lower()
    return primary if primary in WORDS else None


def negotiate(accept_language: str | None) -> str:
    """The best language of an `Accept-Language` header that the pages speak; French otherwise."""
    best, best_weight = DEFAULT_LANGUAGE, 0.0
    for position, item in enumerate((accept_language or "")[:500].split(",")):
        match = LANGUAGE_RANGE.match(item)
        language = supported(match.group(1)) if match else None
        if match is None or language is None:
            continue
        weight = float(match.group(2)) if match.group(2) else 1.0
        weight -= position / 1000  # among equal weights, the first listed wins
        if weight > best_weight:
            best, best_weight = language, weight
    return best
