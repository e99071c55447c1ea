"""Reservia entry point: `python app.py` runs the development server; WSGI servers import `application`."""
import os

from backend import create_app

application = create_app()

if __name__ == "__main__":
    application.run(host=os.environ.get("RESERVIA_HOST", "127.0.0.1"),
                    port=int(os.environ.get("RESERVIA_PORT", "5000")))
