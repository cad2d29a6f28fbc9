"""Answers for the campaign tests, written for them: a letter campaign with light edits and
personal additions, a second letter, varied answers about a library, and varied short answers about
trusting an automated assistant."""

import random

from consult.analysis.types import AnswerText

LETTER = (
    "I am writing as a member of the Keep Libraries Human campaign.\n\n"
    "I oppose the plan to replace library staff with an automated help desk. Libraries are one of "
    "the few places left where anyone can walk in and ask a real person for help with a form, a job "
    "application or a letter they do not understand.\n\n"
    "An automated help desk cannot notice when someone is struggling. It cannot sit down with an "
    "older reader and show them how to book a repeat prescription online.\n\n"
    "The money set aside for this system should be used to keep branches open for longer on "
    "weekday evenings and Saturdays.\n\n"
    "Please keep a trained member of staff on duty in every branch, every hour it is open."
)

LIGHT_EDITS = [
    ("I oppose the plan", "I strongly oppose the plan"),
    ("cannot notice", "can't notice"),
    ("a letter they do not understand", "a letter they don't understand"),
    ("older reader", "elderly reader"),
    ("I am writing as a member of the Keep Libraries Human campaign.\n\n", ""),
    ("Please keep", "Keep"),
    ("weekday evenings and Saturdays", "weekday evenings and at weekends"),
    ("It cannot sit down with an older reader", "It can never sit down with an older reader"),
    ("The money set aside for this system", "The money for this system"),
    ("every hour it is open.", "every hour it is open!"),
]

PERSONAL_SENTENCES = [
    "My son found his first job through the help he got at our library.",
    "I am 82 and the staff at my branch are the only people I speak to some weeks.",
    "Our branch already closes at four on Thursdays and the queue for the computers is out of the door.",
    "I volunteer at the reading group and we would not exist without the librarians.",
    "When my husband died it was a librarian who helped me fill in the bereavement forms. She was patient.",
]

SECOND_LETTER = (
    "As a parent of two young children I support longer opening hours at the library. Storytime on "
    "Saturday mornings is the highlight of our week, and the children's librarian knows every child "
    "by name. Please do not cut the children's service to pay for new technology, and please publish "
    "how many families use each branch before making any decision about its future."
)

VARIED_ANSWERS = [
    "I think an automated help desk could answer simple questions like opening times and free up staff.",
    "The library website is already confusing and a chatbot will only make it worse for older people.",
    "We need more computers in the branch, the ones we have are slow and always booked.",
    "I'm in favour as long as it is properly tested and there is still someone at the counter.",
    "My main worry is privacy: who sees what I ask the help desk, and for how long is it kept?",
    "Honestly the biggest problem is the heating, the reading room is freezing in winter.",
    "Could the council publish the cost of this system compared with the cost of a librarian?",
    "I use the library every week to print documents for my universal credit claim.",
    "Self-service machines for returning books work well, so I can see this working for some things.",
    "Please consider people who do not read English well, a machine will not understand them.",
    "The staff at the central library are brilliant and should be paid more, not replaced.",
    "A trial in one branch first would show whether it actually helps anyone.",
    "Automation in the NHS has not reduced waiting times in my experience, so I'm sceptical here.",
    "More evening opening would help students who work during the day.",
    "I would like to see the equality impact assessment before the council decides.",
    "The mobile library van stopped coming to our village last year and nobody told us why.",
    "Young people need somewhere warm and safe to study after school, and that needs adults present.",
    "If it saves money that can be spent on books then I'm broadly supportive.",
    "Digital help sessions on Tuesday mornings were excellent until they were cancelled.",
    "I'm disabled and the automated kiosks are at the wrong height for a wheelchair user.",
    "The consultation documents are far too long, please write them in plain English.",
    "It depends entirely on whether a person can still be reached when the machine gets it wrong.",
    "Libraries are about more than books and questions, they are community spaces.",
    "I have no strong view but I would not use an automated desk myself.",
    "Our branch hosts the food bank referrals and that needs a human being with judgement.",
    "Why not ask the library staff themselves what would help them most?",
    "Technology should support librarians, not be an excuse to get rid of them.",
    "I have used similar systems at the bank and they never understood what I needed.",
    "Keep the branches open on Sundays, that matters far more to my family than a help desk.",
    "Please make sure the new system works in Welsh as well as English from the first day.",
]


def answers_from(texts: list[str], *, first_id: int = 1) -> list[AnswerText]:
    return [AnswerText(id=first_id + offset, text=text) for offset, text in enumerate(texts)]


def campaign_answers() -> tuple[list[AnswerText], dict[int, str]]:
    """20 verbatim copies (ids 1-20), 10 lightly edited (21-30), 5 with a personal sentence
    added (31-35), and the sentence each of those added."""
    texts = [LETTER] * 20
    for number, (old, new) in enumerate(LIGHT_EDITS):
        edited = LETTER.replace(old, new)
        # Some supporters make two small edits.
        if number % 3 == 0:
            second_old, second_new = LIGHT_EDITS[(number + 1) % len(LIGHT_EDITS)]
            edited = edited.replace(second_old, second_new)
        assert edited != LETTER
        texts.append(edited)
    added = {}
    for number, sentence in enumerate(PERSONAL_SENTENCES):
        answer_id = len(texts) + 1
        texts.append(f"{sentence}\n\n{LETTER}" if number % 2 else f"{LETTER}\n\n{sentence}")
        added[answer_id] = sentence
    return answers_from(texts), added


TRUST_SENTENCES = [
    "I would trust it if a real person checked its decisions.",
    "Only if I can always ask to speak to someone instead.",
    "It needs to be tested on people like me before it goes live.",
    "Publish how often it gets things wrong, in plain English.",
    "My dad is deaf and the phone line is already hard for him.",
    "Tell me clearly when I am talking to a machine.",
    "If it gives wrong advice about my payments, who pays me back?",
    "The letters I get are confusing enough without a chatbot too.",
    "I'd want to know where my recordings are kept and for how long.",
    "Being able to appeal to a human quickly would help.",
    "It should work properly in Welsh from day one.",
    "Independent checks by someone other than the company that built it.",
    "I have ADHD and long menus on the phone make me give up.",
    "Short, clear answers and no jargon.",
    "I don't want my bank details read out to a computer.",
    "Proof that it has helped other claimants in my situation.",
    "The staff at my jobcentre were kind, keep them.",
    "Give it a trial in one area and report back honestly.",
    "My universal credit journal already loses messages.",
    "If it said when it did not know instead of guessing.",
    "It must not make decisions about sanctions on its own.",
    "My worry is that mistakes will fall hardest on disabled people.",
    "A written copy of the conversation sent to me afterwards.",
    "Compensation when it gets things wrong, the same as for staff errors.",
    "Waiting times are the real problem, fix those first.",
    "I'd trust it more if the department ran it rather than a contractor.",
    "Evidence from the pilot, including the complaints.",
    "It would have to understand my accent, the last system never did.",
    "Let people opt out without losing their place in the queue.",
    "I am a carer and I call on behalf of my mum, it must allow that.",
    "Knowing that my data will not be used to train other products.",
    "Regular audits for bias, published every year.",
    "A clear way to complain that reaches an actual person.",
    "It should hand over to an adviser when someone is upset.",
    "I use a screen reader so the online version must be accessible.",
    "Make sure it cannot be used to cut staff numbers.",
    "Honesty about what it is for: saving money or helping people.",
    "Test it with people who have learning disabilities.",
    "My English is not perfect, it must be patient with me.",
    "I worry about scammers pretending to be the bot.",
    "Answers that match what the website says.",
    "Someone accountable by name if it goes wrong.",
    "It should never ask for my password.",
    "Better training for the staff who will check its work.",
    "Shorter hold times, whatever you use.",
    "I'd like to see the rules it follows written down.",
    "Use it for simple things like payment dates only.",
    "I'm in favour if it really frees staff for harder cases.",
    "After my last call I would need a lot of convincing.",
    "It has to remember what I said earlier in the call.",
]


def varied_trust_answers(count: int, *, seed: int = 4) -> list[str]:
    rng = random.Random(seed)
    texts: set[str] = set()
    while len(texts) < count:
        texts.add(" ".join(rng.sample(TRUST_SENTENCES, rng.choice((1, 1, 2, 2, 3)))))
    return sorted(texts)
