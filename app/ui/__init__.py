"""The Streamlit app's pages and widgets (the entry point is ``app/streamlit_app.py``)."""
