"""Lambda: a function's LoggingConfig.

moto 5.2.5 takes CreateFunction's and UpdateFunctionConfiguration's LoggingConfig but drops
it: GetFunction and GetFunctionConfiguration answer none. Lambda keeps it and answers it on
every read; a function created without one answers the default, Text logs to
/aws/lambda/<function name> ("Configuring advanced logging controls", Lambda Developer Guide).
"""
from moto.awslambda.models import LambdaFunction

_init = LambdaFunction.__init__
_get_configuration = LambdaFunction.get_configuration
_update_configuration = LambdaFunction.update_configuration


def __init__(self, account_id, spec, region, version=1):
    _init(self, account_id, spec, region, version)
    self.logging_config = {
        "LogFormat": "Text",
        "LogGroup": f"/aws/lambda/{self.function_name}",
        **(spec.get("LoggingConfig") or {}),
    }


def get_configuration(self, on_create=False):
    config = _get_configuration(self, on_create)
    config["LoggingConfig"] = dict(self.logging_config)
    return config


def update_configuration(self, config_updates):
    if "LoggingConfig" in config_updates:
        self.logging_config = {**self.logging_config, **config_updates["LoggingConfig"]}
    _update_configuration(self, config_updates)
    return self.get_configuration()


LambdaFunction.__init__ = __init__
LambdaFunction.get_configuration = get_configuration
LambdaFunction.update_configuration = update_configuration
