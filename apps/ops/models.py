"""No models: this app owns the beat schedule and housekeeping tasks. (Having this module makes Django send
the app its post_migrate signal.)"""
