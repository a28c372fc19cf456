"""The words the demo workspace is made of: people's and companies' names, support queues,
ticket subjects and replies, products, the extra API keys, and how much each credential calls the
API on a weekday (for the quota history). `seed_rows` draws from them with the seed's rng.
"""

from __future__ import annotations

FIRST_NAMES = ("Ada", "Ben", "Chiara", "Dmitri", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas",
          "Keiko", "Luis", "Maya", "Nils", "Olga", "Priya", "Quentin", "Rosa", "Sven", "Tariq",
          "Uma", "Victor", "Wen", "Ximena", "Yusuf", "Zoe", "Amara", "Bruno", "Carmen", "Diego")
LAST_NAMES = ("Andersen", "Bianchi", "Chen", "Dubois", "Eriksen", "Fischer", "García", "Hughes",
         "Ivanova", "Jensen", "Kowalski", "Lopez", "Müller", "Nakamura", "O'Brien", "Patel",
         "Quinn", "Rossi", "Schmidt", "Tanaka", "Ueda", "Varga", "Weber", "Xu", "Yilmaz", "Zimmer")
COMPANY_WORDS = ("Northwind", "Bluebird", "Copperleaf", "Driftwood", "Evergreen", "Foxglove",
                  "Granite", "Harbor", "Ironbark", "Juniper", "Kestrel", "Lumen", "Meridian",
                  "Nimbus", "Oakridge", "Pinecrest", "Quarry", "Riverside", "Summit", "Tidewater")
COMPANY_KINDS = ("Logistics", "Dental", "Bakery", "Studios", "Consulting", "Outdoor", "Foods",
                  "Analytics", "Architects", "Clinic", "Robotics", "Travel", "Print", "Energy")
CONTACT_TAGS = ("vip", "newsletter", "trial", "partner", "churn-risk", "enterprise", "smb", "event-2026")
TIERS = ("bronze", "silver", "gold")

QUEUES = (  # key, name, first-response target (minutes), status
    ("general", "General Support", 480, "active"),
    ("billing", "Billing", 240, "active"),
    ("priority", "Priority Support", 60, "active"),
    ("technical", "Technical", 120, "active"),
    ("onboarding", "Onboarding", 720, "paused"),
    ("legacy", "Legacy Product", 1440, "archived"),
)
TICKET_CATEGORIES = ("billing", "login", "bug", "feature_request", "onboarding", "data_export")
TICKET_SUBJECTS = {
    "billing": ("Customer cannot download invoice", "Charged twice this month",
                "Need VAT number on invoice", "Refund request for annual plan"),
    "login": ("Password reset email never arrives", "Locked out after 2FA phone change",
              "SSO login loops back to start"),
    "bug": ("Export button does nothing", "Dashboard shows wrong totals",
            "Attachments fail over 10 MB"),
    "feature_request": ("Please add dark mode", "Bulk edit for contacts",
                        "Webhook for deleted companies"),
    "onboarding": ("Help importing our CSV", "How do I invite my team?",
                   "Setting up our first queue"),
    "data_export": ("Full data export for audit", "API pagination stops early",
                    "Need last year's ticket history"),
}
INBOUND_MESSAGES = ("Hi, {subject_lc}. Can you help?", "Any update on this? It is blocking our team.",
            "Thanks, that worked for one user but not the others.", "Attaching a screenshot now.")
OUTBOUND_MESSAGES = ("Thanks for reaching out: we are looking into it.",
             "Could you send the exact time it happened and the browser you use?",
             "We shipped a fix this morning; please try again.",
             "I have escalated this to our engineers and will update you tomorrow.")
INTERNAL_COMMENTS = ("Customer is on the gold tier: keep them updated daily.",
             "Reproduced on staging; linked to the export bug.",
             "Finance is checking the invoice export.", "Waiting for the engineering fix.",
             "Second ticket from this account this week.")
TICKET_SOURCES_WEIGHTED = ("email", "email", "email", "chat", "chat", "web", "phone", "api", "slack")
PRODUCTS = (  # kind, name, unit price in cents, tax rate in basis points
    ("service", "Website redesign", 500_000, 2000), ("service", "Monthly retainer", 150_000, 2000),
    ("service", "Onboarding workshop", 90_000, 2000), ("product", "Annual licence", 240_000, 1900),
    ("product", "Extra seat", 1_500, 1900), ("product", "Hardware token", 3_999, 1900),
    ("fee", "Late payment fee", 2_500, 0), ("fee", "Setup fee", 9_900, 700),
)
PAYMENT_METHODS = ("bank_transfer", "card", "card", "cash", "check")
EXTRA_KEYS = (  # name, scopes, days until expiry (None: never), revoked
    ("Zapier integration", ["crm:read", "crm:write"], None, False),
    ("Nightly billing export", ["crm:read"], None, False),
    ("Support chatbot", ["support:read", "support:write"], 5, False),
    ("Old CI deploy key", ["crm:read", "support:read"], None, True),
)
#: Days of quota usage history before today (the quota chart's window and more).
HISTORY_DAYS = 60
#: A weekday's API calls per module for each extra key (by name) and each member role; AI calls
#: for those that use them. Weekends see a third of it.
KEY_USAGE: dict[str, dict[str, int]] = {
    "Zapier integration": {"crm": 1400, "workspace": 40},
    "Nightly billing export": {"crm": 250, "billing": 300},
    "Support chatbot": {"support": 2200, "crm": 150},
    "Old CI deploy key": {"crm": 120, "support": 60},
}
ROLE_USAGE: dict[str, dict[str, int]] = {
    "owner": {"crm": 120, "billing": 160, "quota": 20, "keys": 15, "logs": 30, "workspace": 25},
    "admin": {"crm": 180, "support": 90, "integrations": 40, "logs": 20, "workspace": 20},
    "agent": {"support": 650, "crm": 140, "workspace": 15},
    "viewer": {"crm": 25, "support": 20, "workspace": 5},
}
AI_USAGE: dict[str, int] = {"Support chatbot": 70, "agent": 12}
SEED_EVENT_TYPES = ("contact.created", "ticket.created", "invoice.paid", "payment.recorded")
