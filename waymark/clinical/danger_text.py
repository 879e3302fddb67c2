"""Plain-language safety texts for specific dangers (thiamine, new drugs, sedative mixes, youth).

Each sentence rests on a section of ``docs/clinical-facts.md`` ("clinical-facts A.n") or of
FACTS.md, named in the comment above it. The house rules of :mod:`waymark.clinical.plan_text`
hold here too: short, kind, second-person sentences marked with N_(); results "suggest" and
signs "can be" signs, never a diagnosis; never a medicine dose; and no phone numbers, so an
emergency step says "emergency services" and the help lines (911, 988, youth lines) come from
configuration. Strings are short because they may be read on a cheap phone or a wallet card.
"""

from __future__ import annotations

from waymark.clinical.text import N_

# clinical-facts A.1 (thiamine and Wernicke's encephalopathy; no dose or route, a doctor decides)
THIAMINE = N_(
    "If you drink heavily, ask a doctor about thiamine (vitamin B1). Sudden confusion, unsteady "
    "walking or unusual eye movements can be signs of Wernicke's encephalopathy, an emergency: "
    "get emergency help straight away."
)

# clinical-facts A.2 (nitazenes: more than one naloxone dose; fentanyl strips miss them ⚠️)
NITAZENES = N_(
    "Nitazenes are very strong opioids found in some drugs and fake pills. An overdose may need "
    "more than one dose of naloxone. Fentanyl test strips do not find them; nitazene strips "
    "exist but can miss some."
)

# clinical-facts A.3 (xylazine: wounds, test strips, long sedation, naloxone still given)
XYLAZINE_BULLETS = (
    N_(
        'Xylazine ("tranq") can cause wounds, even away from where you inject. Keep them clean '
        "and covered, and show them to a clinic early."
    ),
    N_("Xylazine test strips can show whether it is in your drugs. A negative is not a guarantee."),
    N_(
        "Xylazine can keep someone asleep for hours. Naloxone does not reverse it, but still "
        "give naloxone, because opioids are usually there too."
    ),
    N_(
        "If they breathe but do not wake, turn them on their side, call emergency services and "
        "stay with them."
    ),
)

# clinical-facts A.4 (signs of a stimulant overdose)
STIMULANT_OVERDOSE_SIGNS = N_(
    "Signs of a stimulant overdose (overamping): chest pain, a racing heart, feeling very hot, "
    "great agitation or confusion, or a seizure."
)

# clinical-facts A.4 (response; cooling with cool water and fanning, not an ice bath ❓;
# naloxone if opioids may be in it, FACTS §5)
STIMULANT_OVERDOSE_STEPS = (
    N_("Call emergency services."),
    N_("Cool them down: cool, wet cloths on the neck, head and armpits, and fan them."),
    N_("Move them somewhere calm and quiet, and stay with them."),
    N_("If they pass out but are breathing, turn them on their side."),
    N_("If opioids could be in what they took, or their breathing is slow, give naloxone."),
)

# clinical-facts A.5 (FDA 2019: gabapentinoids with opioids)
GABAPENTINOID_OPIOIDS = N_(
    "Gabapentin or pregabalin taken with opioids can slow your breathing and raise the risk of "
    "a fatal overdose. Tell your prescribers everything you take."
)

# clinical-facts A.5 (z-drugs and GHB are sedatives; GHB withdrawal is dangerous)
GHB_Z_DRUGS = N_(
    "GHB and sleeping pills such as zolpidem are sedatives: mixed with opioids or alcohol they "
    "can stop your breathing. After regular GHB use, stopping suddenly can bring dangerous "
    "withdrawal, so stop with medical help."
)

# clinical-facts A.6 (cannabis hyperemesis syndrome; "can be a sign", no diagnosis)
CANNABIS_HYPEREMESIS = N_(
    "Repeated vomiting that hot showers ease can be a sign of cannabis hyperemesis syndrome, "
    "which can come with long-term heavy use. Stopping cannabis is what ends it. If you cannot "
    "keep fluids down, get medical care."
)

# clinical-facts A.8 (first weeks after prison, hospital or detox; FACTS §4.3)
LOST_TOLERANCE_RELEASE = N_(
    "In the first weeks after prison, a hospital stay or detox, your tolerance is low and the "
    "overdose risk is at its highest. If you use, use much less, do not use alone, and keep "
    "naloxone close."
)

# clinical-facts A.9 (Waymark is for adults; youth see resources and any safety finding)
YOUTH_INTRO = N_(
    "Thank you for looking after yourself. Waymark is made for adults, so here are people who "
    "help young people, and the safety information below is still for you."
)

# clinical-facts A.9 (generic on purpose: the numbers come from configuration)
YOUTH_RESOURCES = (
    N_("A school counsellor or school nurse"),
    N_("A doctor or nurse"),
    N_("A youth service, or a helpline for young people"),
    N_("A trusted adult, such as a family member or teacher"),
)

# clinical-facts A.10 (MOUD is standard care in pregnancy; no withdrawal from it; FACTS §4.3)
MOUD_KEEP_TAKING = N_(
    "Keep taking your methadone or buprenorphine, in pregnancy too. Talk to your prescriber "
    "before any change, and never stop suddenly."
)

# clinical-facts A.12 (seizure first aid; a withdrawal seizure is an emergency, FACTS §4.1)
SEIZURE_WHAT_TO_DO = (
    N_("Call emergency services."),
    N_("Move hard or sharp things away, and put something soft under their head."),
    N_("Turn them onto their side as soon as you can."),
    N_("Do not hold them down, and put nothing in their mouth."),
    N_("Stay with them until help comes."),
)

# FACTS §2.7, §2.9 and §11.4 (PHQ-9 or GAD-7 at 10 or more: suggest talking to a professional)
MOOD_TALK = N_(
    "Your answers about mood suggest it would help to talk to someone about how you feel, such "
    "as a doctor or counsellor."
)
