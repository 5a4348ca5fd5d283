"""The licensing domain: applications, tariffs, quotes, licences and their lifecycle (BRIEF §4).

Pure Python: nothing here knows gRPC, SQL or Kafka. The repertoire is seen through ``RightsView``.
"""
