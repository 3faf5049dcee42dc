print("linq")
