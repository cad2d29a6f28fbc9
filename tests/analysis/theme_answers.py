"""Answers of our own writing on one point each, shared by the label tests (test_labels judges
labels against them, test_extractive cuts labels from them)."""

NOTHING_TO_IMPROVE = [
    "Nothing could have been improved.",
    "Nothing, it was all fine",
    "I can't think of anything that could have been improved",
    "Nothing really, the staff were great",
    "Nothing could be improved, very happy with the service",
    "Honestly nothing needed improving",
]

CHATBOT_MISUNDERSTOOD = [
    "The chatbot did not understand my question.",
    "It didn't understand what I was asking about my rent.",
    "The chatbot could not understand my question about housing benefit.",
    "The bot did not understand simple questions.",
    "I asked three times and it never understood my question.",
    "It answered a question I had not asked and didn't understand mine.",
]
