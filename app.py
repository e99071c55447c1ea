"""Reservia entry point: `python app.py` runs the development server; WSGI servers import `application`."""
import os
import socket

from backend import create_app
from backend.notifications.worker import DeliveryWorker
from backend.web.server_memory import tune_garbage_collection

application = create_app()
tune_garbage_collection()

if __name__ == "__main__":
    host = os.environ.get("RESERVIA_HOST", "127.0.0.1")
    port = int(os.environ.get("RESERVIA_PORT", "5000"))
    if not application.config["RESERVIA_PUBLIC_URL"]:
        shown = socket.getfqdn() if host in ("0.0.0.0", "::") else host
        application.config["RESERVIA_PUBLIC_URL"] = f"http://{shown}:{port}"
    # One machine, one process: the delivery worker runs beside the server, not in a request.
    DeliveryWorker(application).start_thread(application.config["RESERVIA_DELIVERY_INTERVAL"])
    application.run(host=host, port=port)
