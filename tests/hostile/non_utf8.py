# café au lait: Latin-1, not UTF-8
def sigmoid(z):
    return z
