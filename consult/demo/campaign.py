"""An invented campaign's template answer, which supporters paste in with small changes of their own."""

from __future__ import annotations

from consult.demo.specs import prose

CAMPAIGN_NAME = "Real Person Promise"

# The one sentence that every copy keeps word for word, so that tests can find the campaign.
CAMPAIGN_MARKER = "No one should ever have to get past a machine before they can reach a person."

LETTER = prose(
    f"""
    I am responding as a supporter of the {CAMPAIGN_NAME} campaign.

    I do not agree that an AI assistant should answer benefit enquiries. People who contact the
    benefits service are often worried, unwell or short of money, and they need to speak to someone
    who can listen and understand their situation. A computer program cannot do that.

    {CAMPAIGN_MARKER} Every caller must be offered a trained adviser from the very first moment,
    with no extra wait for choosing one.

    The money for this pilot should be spent on recruiting and training more advisers, so that
    waiting times come down for everyone.

    Any AI system used in the benefits service must be independently tested, with the results
    published in full, before it is used with the public.

    I ask the department to drop this proposal and make the {CAMPAIGN_NAME}: a human being at the
    end of every line.
    """
)

# Small edits supporters make to the template: (what the template says, what they write instead).
EDITS = (
    ("I do not agree", "I don't agree"),
    ("A computer program cannot do that.", "A chatbot cannot do that."),
    ("A computer program cannot do that.", "A computer can't do that, however clever it is."),
    ("often worried, unwell or short of money", "often worried, ill or skint"),
    ("I ask the department to drop", "Please drop"),
    ("more advisers, so that", "more advisers so that"),
    (f"I am responding as a supporter of the {CAMPAIGN_NAME} campaign.\n\n", ""),
    (
        "\n\nThe money for this pilot should be spent on recruiting and training more advisers, so that waiting "
        "times come down for everyone.",
        "",
    ),
)

PERSONAL_ADDITIONS = (
    "My brother is autistic and puts the phone down the moment he hears a recorded voice.",
    "I have been on hold for over an hour more times than I can count, and a robot will not fix that.",
    "I'm a carer for my husband and I don't have time to argue with a computer.",
    "When my payment went missing last winter it was a person on the phone who sorted it out.",
    "I'm 71 and I don't use the internet.",
    "I volunteer at a food bank and I see every week what happens when people get the wrong information.",
    "I signed up to this because I used to work on a helpline myself.",
    "Please, just answer the phone.",
    "My daughter has a learning disability and would not understand she was talking to a machine.",
    "Read what people are telling you.",
)

ANYTHING_ELSE = (
    f"Make the {CAMPAIGN_NAME}.",
    "A human being at the end of every line.",
    "See my answer above.",
)
