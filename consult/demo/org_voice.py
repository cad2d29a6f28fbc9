"""How organisations write: where they stand, formal paragraphs on each topic, what they ask for."""

from __future__ import annotations

from consult.demo.specs import prose

ORG_STANCES = {
    1: (
        "We oppose this proposal and urge the department not to proceed with it.",
        "We do not support the introduction of the assistant, and we do not believe a pilot should go ahead in "
        "its current form.",
    ),
    2: (
        "We have serious reservations about the proposal and cannot support it as it stands.",
        "We do not support the proposal in its current form, although we recognise the problem it is meant to solve.",
    ),
    3: (
        "We neither support nor oppose the proposal at this stage: whether it helps or harms the people we work "
        "with depends almost entirely on how it is done.",
        "The people we represent hold a range of views. Below we set out the conditions that would have to be "
        "met for us to support a pilot.",
    ),
    4: (
        "We support the proposal in principle, subject to the safeguards we set out below.",
        "We welcome the department's decision to consult before deciding, and broadly support a carefully "
        "evaluated pilot.",
    ),
    5: (
        "We strongly support the proposal.",
        "We welcome this proposal and encourage the department to proceed with the pilot without delay.",
    ),
}

ORG_EVIDENCE = (
    "This response draws on the experience of our {n} caseworkers and volunteers.",
    "To prepare this response we held {n} listening sessions with the people we work with.",
    "We asked our members for their views and {n} of them replied; their comments are reflected below.",
    "This response is based on our casework over the last year, in which we handled around {m} enquiries about "
    "benefits.",
)

ORG_PARAGRAPHS = {
    "accuracy": {
        "against": (
            prose(
                """The accuracy figures in the consultation worry us. A 3% error rate sounds small, but
                applied to the volume of calls the department describes it would mean tens of thousands of
                wrong answers every month. The people most likely to receive a wrong answer are those whose
                circumstances are unusual, and they are precisely the people for whom a wrong answer costs the
                most."""
            ),
            prose(
                """In our casework, the most damaging mistakes are rarely about simple facts. They arise when
                a general answer is applied to someone it does not fit: a self-employed claimant, a household
                where someone has just moved in or out, a person waiting for a disability assessment. We see
                no evidence that the assistant can recognise when a general answer does not apply."""
            ),
        ),
        "for": (
            prose(
                """We note that the assistant would answer only from published guidance and would cite its
                sources. In our experience people currently receive inconsistent answers from the phone line,
                and a consistent, sourced answer to simple questions could be an improvement."""
            ),
        ),
    },
    "person": {
        "against": (
            prose(
                """Many of the people we support contact the department at moments of crisis: after a
                sanction, when a payment has not arrived, when they have been told they have been overpaid.
                They need to be heard by someone who can recognise distress and use judgement. We are not
                persuaded that the hand-over rules described will identify every such case."""
            ),
            prose(
                """We are concerned that the assistant will, over time, become the default route and that
                the human alternative will become harder to find. The commitments in the consultation should
                be made binding, with published figures for how long people wait for an adviser after asking
                for one."""
            ),
        ),
        "for": (
            prose(
                """We welcome the commitment that anyone can reach an adviser at any point without losing
                their place in the queue, and that the conversation so far is passed on. If honoured, this
                would address one of the most common frustrations we hear about."""
            ),
        ),
    },
    "waiting": {
        "against": (
            prose(
                """The long waits people face are a consequence of staffing levels, not of the kind of
                questions people ask. We are not convinced that the assistant will reduce waiting times for
                those who need an adviser, and the consultation offers no estimate of the effect."""
            ),
        ),
        "for": (
            prose(
                """Long waits on the phone line are a real barrier, particularly for people in work, carers
                and parents, who cannot spend an hour on hold during the day. An assistant available at any
                time could help these groups, provided it is an addition to the phone line and not a
                replacement for it."""
            ),
            prose(
                """The ability to get an immediate answer to a simple question, outside office hours, would be
                of real value to the people we work with, many of whom tell us that they give up on the phone
                line altogether."""
            ),
        ),
    },
    "privacy": {
        "against": (
            prose(
                """People will tell the assistant about their health, their debts and their relationships,
                whatever the instructions say. Automatic screening will not remove everything. We ask the
                department to shorten the retention period, to publish the data protection impact assessment
                before any decision is taken, and to explain how people can see and delete what they said."""
            ),
        ),
        "for": (
            prose(
                """We welcome the decision that the assistant will not have access to claim records, which
                limits the harm that could follow from a security failure."""
            ),
        ),
    },
    "data_sharing": {
        "against": (
            prose(
                """The consultation says that the supplier and the model provider may not use conversations
                for any other purpose, but does not say how this will be verified. We recommend independent
                audit of the contract terms, publication of those terms, and a clear statement that
                conversations will never be shared with other parts of government for compliance or fraud
                purposes."""
            ),
        ),
        "for": (),
    },
    "disability": {
        "against": (
            prose(
                """Disabled people are more likely than others to have complex claims and to rely on
                reasonable adjustments. Speech recognition performs poorly for people with speech
                impairments, chat interfaces are often inaccessible to screen reader users, and people with
                learning disabilities or cognitive impairments may not understand that they are talking to a
                machine. Testing with disabled people should happen before design decisions are made, not at
                the end."""
            ),
        ),
        "for": (
            prose(
                """For some disabled people, including many Deaf people and some autistic people, a text chat
                could be more accessible than the telephone. We would support a pilot that is designed with
                disabled people from the start and that meets accessibility standards before launch."""
            ),
        ),
    },
    "older": {
        "against": (
            prose(
                """Many older people are uncomfortable with automated systems, and some will not use them
                at all. There is a real risk that older people who are entitled to help will be discouraged
                from seeking it, particularly if they encounter the assistant first when they telephone."""
            ),
        ),
        "for": (),
    },
    "digital": {
        "against": (
            prose(
                """A significant minority of the people we support have no internet access at home, rely on
                limited mobile data, or lack the confidence or literacy to use a web chat. Any change that
                moves support online risks widening the gap between those who can navigate the system and
                those who cannot."""
            ),
        ),
        "for": (
            prose(
                """We are pleased that the phone line, textphone and face-to-face appointments will continue.
                With those in place, an additional online route should not disadvantage people who are not
                online, and may free up capacity for them."""
            ),
        ),
    },
    "language": {
        "against": (
            prose(
                """We are concerned that the assistant will perform less well in Welsh than in English, and
                for people who speak English as an additional language. We ask the department to publish
                accuracy figures for Welsh separately, and to confirm that the Welsh service will meet its
                obligations under Welsh language legislation from the first day."""
            ),
        ),
        "for": (
            prose(
                """We welcome the commitment to provide the assistant in Welsh from the start. Too often
                Welsh-language services arrive late, if at all."""
            ),
        ),
    },
    "jobs": {
        "against": (
            prose(
                """Our members are deeply concerned that the assistant is the first step towards a reduction
                in adviser numbers. The two-year commitment is welcome but limited. Staff have not been
                involved in the design of the pilot, despite holding much of the knowledge that the guidance
                library lacks."""
            ),
        ),
        "for": (),
    },
    "appeals": {
        "against": (
            prose(
                """People who act on wrong information need to be able to prove what they were told.
                Conversations should be available to the person on request for at least as long as the time
                limits for reconsideration and appeal, not deleted after 90 days."""
            ),
        ),
        "for": (),
    },
    "bias": {
        "against": (
            prose(
                """Language models are known to perform unevenly across dialects, registers and levels of
                literacy. We recommend an equality impact assessment published before the pilot, and
                monitoring of accuracy and hand-over rates by age, disability, ethnicity and first language
                throughout it."""
            ),
        ),
        "for": (),
    },
    "cost": {
        "against": (
            prose(
                """The consultation gives no figures for the cost of the contract or for the savings
                expected. Without them it is impossible to judge whether the same money would do more good
                if it were spent on advisers."""
            ),
        ),
        "for": (
            prose(
                """Handling routine enquiries automatically should reduce the cost of each enquiry, freeing
                resources for more complex work. We would encourage the department to publish the expected
                savings and how they will be reinvested."""
            ),
        ),
    },
}

ORG_RECOMMENDATIONS = {
    "accuracy": ("Publish accuracy results for every test round, broken down by topic.",),
    "person": ("Guarantee in writing that a person can always be reached without first using the assistant.",),
    "waiting": ("Publish waiting times for an adviser every month during the pilot.",),
    "privacy": ("Reduce the retention period and let people ask for their conversation to be deleted.",),
    "data_sharing": ("Publish the contract terms that govern the supplier's use of data.",),
    "disability": ("Involve disabled people in the design of the pilot, not only in testing it.",),
    "older": ("Make sure no one meets the assistant on the phone line unless they choose to.",),
    "digital": ("Keep the phone line and face-to-face appointments fully staffed.",),
    "language": ("Report the Welsh-language service's accuracy separately.",),
    "jobs": ("Involve staff and their representatives in the design and evaluation of the pilot.",),
    "appeals": ("Let people obtain a copy of their conversation for as long as they could appeal.",),
    "bias": ("Monitor accuracy and hand-over rates by protected characteristic, and publish the results.",),
    "cost": ("Publish the cost of the contract and the expected savings.",),
}

ORG_CLOSINGS = (
    "We would welcome the opportunity to discuss these points with the department.",
    "We would be happy to help the department test the assistant with the people we support.",
    "We are grateful for the opportunity to respond and would be glad to meet officials.",
    "Please contact our policy team if you would like to discuss this response.",
)
