"""French messages of the public API (what end users and client apps read)."""

INVALID_JSON = "Le corps de la requête n'est pas un JSON valide."
INVALID_FIELD = "Champ « {field} » : {reason}."
MISSING_FIELD = "le champ est obligatoire"
WRONG_TYPE = "le type n'est pas le bon ({expected} attendu)"
EMPTY_MESSAGE = "Le message est vide : écrivez votre question."
MESSAGE_TOO_LONG = "Le message est trop long ({length} caractères) : {limit} caractères au maximum."
BODY_TOO_LARGE = "La requête est trop volumineuse : {limit} octets au maximum."
UNKNOWN_CONVERSATION = (
    "Cette conversation est inconnue. Envoyez votre message sans « conversation_id » "
    "pour en commencer une nouvelle."
)
UNKNOWN_METIER = "Aucune fiche pour le métier « {metier_id} ». Fiches disponibles : {known}."
RASA_DOWN = "L'assistant est momentanément indisponible. Réessayez dans quelques instants."
EMPTY_REPLY = "Désolé, je n'ai pas réussi à répondre à ce message. Pouvez-vous reformuler votre question ?"
NOT_FOUND = "Cette adresse n'existe pas."
METHOD_NOT_ALLOWED = "Cette méthode HTTP n'est pas acceptée à cette adresse."
INTERNAL = "Une erreur inattendue est survenue. Réessayez dans quelques instants."
