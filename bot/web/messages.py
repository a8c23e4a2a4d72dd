"""French messages of the public API (what end users and client apps read)."""

INVALID_JSON = "Le corps de la requête n'est pas un JSON valide."
NOT_AN_OBJECT = "Le corps de la requête doit être un objet JSON, par exemple {\"message\": \"Bonjour\"}."
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
UNKNOWN_METIER = "Aucun métier n'a l'identifiant « {metier_id} ». Cherchez-le par son nom : GET /api/metiers?q=<nom du métier>."
RASA_DOWN = "L'assistant est momentanément indisponible. Réessayez dans quelques instants."
EMPTY_REPLY = "Désolé, je n'ai pas réussi à répondre à ce message. Pouvez-vous reformuler votre question ?"
NOT_FOUND = "Cette adresse n'existe pas."
METHOD_NOT_ALLOWED = "Cette méthode HTTP n'est pas acceptée à cette adresse."
INTERNAL = "Une erreur inattendue est survenue. Réessayez dans quelques instants."
EMPTY_BODY = "Le corps de la requête est vide : envoyez un objet JSON, par exemple {\"message\": \"Bonjour\"}."
INVALID_ENCODING = "Le corps de la requête n'est pas un texte UTF-8 valide."
JSON_TOO_DEEP = "Le JSON de la requête est trop imbriqué."
NOT_JSON = "Le corps de la requête doit être du JSON (en-tête « Content-Type: application/json »)."
NULL_VALUE = "la valeur null n'est pas acceptée"
INVALID_VALUE = "valeur invalide"
CONTROL_CHARACTERS = (
    "Champ « {field} » : caractères de contrôle interdits (seuls le retour à la ligne et la tabulation sont acceptés)."
)
INVALID_CHARACTERS = "Champ « {field} » : le texte contient des caractères Unicode invalides."
RATE_LIMITED = "Trop de messages en peu de temps : patientez {seconds} s avant de réessayer."
HTTP_ERROR = "La requête n'a pas pu être traitée (erreur HTTP {status})."
OPERATOR_TOKEN_INVALID = "Jeton d'opérateur manquant ou invalide (en-tête « Authorization: Bearer <jeton> »)."
OPERATOR_TOKEN_REQUIRED = (
    "Ces données sont réservées à l'opérateur : le service écoute au-delà de la boucle locale, "
    "définissez BOUSSOLE_OPERATOR_TOKEN et envoyez-le en en-tête « Authorization: Bearer <jeton> »."
)
EMPTY_FEEDBACK_REPLY = "Le champ « reply » est vide : donnez le texte de la réponse que vous jugez."
UNKNOWN_REPLY = "Cette réponse ne fait pas partie de la conversation : je ne peux pas enregistrer votre avis."
FEEDBACK_THANKS = "Merci pour votre avis !"
REPORT_BAD_FORMAT = "Paramètre « format » : valeurs possibles {formats}."
REPORT_BAD_SINCE = (
    "Paramètre « since » : une date (2026-12-01), une date et une heure (2026-12-01T08:00) "
    "ou une durée (7d, 12h) sont attendues."
)
REPORT_UNAVAILABLE = "Le rapport ne peut pas lire les conversations enregistrées pour l'instant (voir le journal du service)."
OPERATOR_TOKEN_REQUIRED_REMOTE = (
    "Ces données sont réservées à l'opérateur : sans jeton, seules les requêtes directes de cette machine "
    "(sans relais ni proxy) y ont accès. Définissez BOUSSOLE_OPERATOR_TOKEN et envoyez-le en en-tête "
    "« Authorization: Bearer <jeton> »."
)
RATE_LIMITED_ADDRESS = (
    "Trop de messages depuis votre réseau en peu de temps : patientez {seconds} s avant de réessayer."
)
HEADERS_TOO_LARGE = "Les en-têtes de la requête sont trop volumineux : {limit} octets au maximum."
STORE_UNAVAILABLE = "Votre message n'a pas pu être enregistré. Réessayez dans quelques secondes."
REPORT_SINCE_OUT_OF_RANGE = (
    "Paramètre « since » : au plus {days} jours en arrière (par exemple 30d), "
    "ou une date comprise entre le 1ᵉʳ janvier 1970 et le 31 décembre 9999."
)
# Telegram and Slack: the platform will not send the message again, so the person is asked to.
CHANNEL_RASA_DOWN = "Désolé, l'assistant est momentanément indisponible : renvoyez votre question dans quelques instants."
CHANNEL_NOT_SAVED = "Désolé, votre message n'a pas pu être enregistré : renvoyez-le dans quelques instants."
ACTION_SECRET_MISSING = (
    "Cette adresse est réservée à Rasa : l'en-tête « X-Boussole-Action-Secret » est absent."
)
ACTION_SECRET_WRONG = "Cette adresse est réservée à Rasa : le secret de l'en-tête « X-Boussole-Action-Secret » est faux."
ACTION_CALL_INVALID = "Appel d'action invalide : « {field} » doit être {expected}."
ACTION_UNKNOWN = "Action inconnue : « {action} »."
ACTION_REJECTED = "L'action « {action} » a refusé de s'exécuter."
INVALID_PARAMETER = "Paramètre « {name} » : {reason}."
AT_LEAST = "au moins {limit} attendu"
ABOVE = "plus de {limit} attendu"
AT_MOST = "au plus {limit} attendu"
BELOW = "moins de {limit} attendu"
TOO_MANY_CHARACTERS = "{limit} caractères au maximum"
