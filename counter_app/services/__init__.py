"""Qt-free application services: orchestration between the database, the rules and the documents."""
