"""Your own documents: a folder of photos → a task skeleton (``skeleton``), pre-labels and gold
through Label Studio (``labelstudio``), and a Hugging Face ``datasets`` export (``hf_export``).
The ``medvie-bench data`` commands (``cli``) are thin wrappers around these modules."""
