"""How individuals begin and end their answers about the benefit enquiry assistant, and the rest of
what they write: suggestions, what would make them trust it, and anything else."""

from __future__ import annotations

from consult.demo.benefit_topics import TOPICS
from consult.demo.benefits import CHANNELS, WORRIES
from consult.demo.org_voice import ORG_CLOSINGS, ORG_EVIDENCE, ORG_PARAGRAPHS, ORG_RECOMMENDATIONS, ORG_STANCES
from consult.demo.organisations import ORGANISATIONS
from consult.demo.specs import Phrasebook

OPENINGS = {
    5: (
        "I think this is a great idea.",
        "Fully support this.",
        "Yes, please do this.",
        "This is long overdue.",
        "I strongly agree with the proposal.",
        "Good idea, and about time.",
        "I'm all for it.",
    ),
    4: (
        "I mostly agree with this.",
        "I think it's a sensible idea, with some conditions.",
        "On balance I support it.",
        "Broadly in favour.",
        "I think it could work if it's done carefully.",
        "I'm cautiously in favour.",
    ),
    3: (
        "I'm honestly not sure about this.",
        "I can see both sides.",
        "I don't have a strong view either way.",
        "It depends how it's done.",
        "I have mixed feelings.",
        "There are good and bad points here.",
    ),
    2: (
        "I have serious doubts about this.",
        "I don't think this is a good idea.",
        "I'm not convinced.",
        "I don't really agree with this.",
        "I'm against it as it stands.",
        "I can see why you want to do it, but I don't agree.",
    ),
    1: (
        "I completely disagree with this.",
        "This is a terrible idea.",
        "Absolutely not.",
        "No. Just no.",
        "I am strongly opposed to this proposal.",
        "Please don't do this.",
        "I'm totally against it.",
    ),
}

CLOSINGS = {
    "for": (
        "Give it a go.",
        "I hope it goes ahead.",
        "Good luck with the pilot.",
        "Well done for asking people first.",
        "I'd be happy to try it.",
    ),
    "mixed": (
        "I'd want to see the pilot results before deciding.",
        "So I'm on the fence.",
        "Let's see how the pilot goes.",
        "It could go either way.",
        "Please listen to the people who are worried.",
    ),
    "against": (
        "Please think again.",
        "Scrap it and hire more staff.",
        "People deserve better than this.",
        "Just answer the phone.",
        "I hope you actually listen to the responses.",
        "This should not go ahead.",
    ),
}

SUGGESTIONS = (
    "There should be a button to speak to a person on every screen, not hidden away.",
    "Publish the test results every month, including the mistakes.",
    "Test it with real claimants before it goes live, not just with staff.",
    "Let people save or download a copy of the conversation.",
    "It should say clearly at the start that it's not a person.",
    "It should hand over to an adviser straight away if someone is upset.",
    "Keep the answers short and in plain English.",
    "Don't give it a cute name or make it pretend to be a person.",
    "Start small and be honest about how it goes.",
    "Get disabled people involved in designing it, not just testing it at the end.",
    "It should never be the only way to get an answer.",
    "Make sure it works with screen readers before launch.",
    "Make the Welsh version as good as the English one.",
    "Let independent people check it, not the company that built it.",
    "Put any money it saves back into more advisers.",
    "Make it very clear that telling it about a change does not count as reporting it.",
    "Let people choose a person at the very start of the call, before the assistant has a go.",
    "Let a carer or family member use it on someone's behalf.",
)

SHORT_ANSWERS = {
    5: ("Good idea", "yes", "Yes, do it.", "About time", "Great idea!", "makes sense"),
    4: ("Seems sensible", "ok as long as I can still talk to a person", "fine by me", "Worth trying."),
    3: ("not sure", "Don't know enough about it", "depends", "Could go either way"),
    2: ("Not keen", "I'd rather talk to a person", "doubt it will work"),
    1: ("no", "dont trust it", "Waste of money.", "NO", "Rubbish idea", "bad idea", "Absolutely not"),
}

# Each pair says the same thing as a clause ("I'd trust it if ...") and as an item in a list.
TRUST = (
    (
        "it said clearly at the start that it's a computer, not a person",
        "A clear message at the start that it's a computer",
    ),
    ("there was a button to reach an adviser on every screen", "A button to reach an adviser on every screen"),
    ("it showed exactly where each answer came from", "Links to where each answer came from"),
    ("advisers checked a sample of its answers every week", "Advisers checking its answers every week"),
    ("the test results were published, mistakes included", "Published test results, mistakes included"),
    ("it said when it didn't know instead of guessing", "Admitting when it doesn't know"),
    (
        "it never asked for my National Insurance number or bank details",
        "Never asking for my NI number or bank details",
    ),
    ("I could get a copy of the conversation afterwards", "A copy of the conversation afterwards"),
    ("wrong answers were put right and compensated like a mistake by a person", "Compensation if it gets things wrong"),
    ("an independent body checked it rather than the company that built it", "Independent checks, not the supplier"),
    ("it worked properly in Welsh", "A Welsh version that really works"),
    ("disabled people had helped to test it", "Testing by disabled people"),
    ("it didn't pretend to be human", "No pretending to be human"),
    ("it handed over quickly when someone is upset", "Quick hand-over when someone is upset"),
    ("the answers were short and in plain English", "Short answers in plain English"),
    ("my conversations were deleted when you say they will be", "Deleting conversations when you say you will"),
    ("it was run by the department and not outsourced", "Being run by the department itself"),
    ("I could see it had been right for other people in my situation", "Evidence it works for people like me"),
)

DISTRUST = (
    "Nothing would make me trust it.",
    "Nothing. I want to speak to a person.",
    "honestly nothing",
    "I don't think anything would.",
    "Nothing you could say would change my mind.",
    "Not sure anything could, given how claimants get treated.",
    "nothing its a computer",
    "N/A - I won't be using it.",
)

# What people add when asked for anything else, by what they add: the writer takes one or two
# sentences from one group, so the answers hold a few clear points as real ones do.
EXTRAS = (
    (  # Keep people to talk to
        "Whatever you do, please don't get rid of face-to-face appointments. For some people they are the only "
        "thing that works.",
        "Please keep the phone line open for people who need it, even if the assistant works well.",
        "Don't let this become an excuse to close the local office.",
        "Some people will always need to sit down with someone who can see their letters.",
        "Keep real people on the end of the phone. That's what matters most.",
        "Please promise that talking to a person will always be an option, not something you have to fight for.",
    ),
    (  # Fix the basics first
        "Please make the letters you send clearer in the first place, then people wouldn't need to ring so much.",
        "The website is hard enough to find your way around as it is. Fix that first.",
        "I think the department should also look at why people need to call so often. Most of my calls have been "
        "chasing something that should already have happened. An assistant can't fix that.",
        "Please don't make the phone menu longer to fit this in. It's already too long.",
        "I work in IT and these systems are only as good as the information you give them. Clean up the guidance "
        "first.",
        "Most calls are about payments that are late. Pay people on time and the phone lines will be quieter.",
    ),
    (  # Tell us how it goes
        "I'd like to see the results of the pilot published in plain English, not just a report nobody reads.",
        "My worry is what happens in five years. The promises in this consultation sound fine, but the people who "
        "made them will have moved on. Please write the promises down somewhere they can't quietly be dropped.",
        "Tell us what you find in the pilot, including the mistakes it makes.",
        "Publish how many people gave up on the assistant and rang anyway.",
        "Come back and tell us what you decided and why, not just that you went ahead.",
    ),
    (  # People who will be left out
        "Please think about people in rural areas with no mobile signal.",
        "Remember that a lot of the people contacting you are scared. Design for that.",
        "How will you know if people give up and don't get the help they need? Nobody complains once they've given up.",
        "Plenty of people round here have no smartphone and no broadband. Don't forget them.",
        "People with learning disabilities will need someone to help them use it.",
    ),
    (  # Thanks for asking
        "Thank you for asking people before doing it rather than after.",
        "Good to be asked for once. Thanks.",
        "I filled this in on my phone and it was easy enough, so credit where it's due.",
        "The staff I've dealt with have mostly been kind. Please don't lose that.",
        "Thanks for explaining the plans in plain language.",
    ),
)

LOW_EFFORT_EXTRAS = ("no", "No.", "see above", "Nothing to add", "n/a", "not really", "No thanks", "nope")

# Invented details that a redactor should catch: drama-range phone numbers, a made-up postcode area
# and the QQ prefix that is never issued as a National Insurance number.
PERSONAL_DATA = (
    "If you want to ask me more you can email me at jo.marsh.demo@example.com.",
    "Feel free to ring me on 07700 900123, I'm happy to talk about what happened to me.",
    "My National Insurance number is QQ 12 34 56 C if you want to look at my case.",
    "I live at 14 Ferncliffe Road, Millbridge MB7 2QT, and the library near me has closed.",
    "You can call me on 020 7946 0321 during the day.",
    "My name is Delyth Parry-Rowe and I've been waiting nine weeks for a decision.",
    "Write to me at Flat 3, 22 Orchard Walk, Eastmere EM4 9XJ if you need to.",
    "my number is 07700 900461 if anyone wants to actually listen",
)

BENEFIT_PHRASES = Phrasebook(
    topics=TOPICS,
    openings=OPENINGS,
    closings=CLOSINGS,
    suggestions=SUGGESTIONS,
    short_answers=SHORT_ANSWERS,
    trust=TRUST,
    distrust=DISTRUST,
    extras=EXTRAS,
    low_effort_extras=LOW_EFFORT_EXTRAS,
    personal_data=PERSONAL_DATA,
    channels=tuple(zip(CHANNELS, (0.42, 0.22, 0.05, 0.09, 0.08, 0.14), strict=True)),
    no_worry=WORRIES[-1],
    organisations=ORGANISATIONS,
    org_stances=ORG_STANCES,
    org_paragraphs=ORG_PARAGRAPHS,
    org_evidence=ORG_EVIDENCE,
    org_recommendations=ORG_RECOMMENDATIONS,
    org_closings=ORG_CLOSINGS,
)
