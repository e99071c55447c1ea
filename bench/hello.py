"""The ceiling: a bare Flask endpoint served exactly like Reservia, so each figure reads as a fraction of it."""
from flask import Flask, jsonify

application = Flask(__name__)


@application.get("/hello")
def hello():
    """As little work as a Flask JSON response can do."""
    return jsonify(message="hello")
