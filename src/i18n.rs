//! Every string the member sees, in every language we ship, in one table.
//!
//! A string is named by a `Text` key so that a missing translation is a compile error, not a blank.

use idcheck_core::model::{AddressDocumentType, IdentityDocumentType, VerificationStatus};
use idcheck_core::rules::{Violation, ViolationCode};
use idcheck_core::slots::DocumentKind;

/// A language the component speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    En,
    Es,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Es];

    /// Picks the first supported language from the browser's preference list (BCP 47 tags such as
    /// `es-ES`), falling back to English.
    pub fn from_preferences<'a>(tags: impl IntoIterator<Item = &'a str>) -> Lang {
        tags.into_iter()
            .find_map(Lang::from_tag)
            .unwrap_or(Lang::En)
    }

    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_']).next()?.trim().to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Lang::En),
            "es" => Some(Lang::Es),
            _ => None,
        }
    }

    /// The tag written into the `lang` attribute, so screen readers pronounce the text right.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Es => "es",
        }
    }

    /// The language's own name, shown in the language switch.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Es => "Español",
        }
    }
}

/// The name of a visible string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Text {
    Language,
    WelcomeTitle,
    WelcomeIntro,
    WelcomeWhatTitle,
    WelcomeWhatFace,
    WelcomeWhatDocument,
    WelcomeWhatDetails,
    WelcomeWhy,
    WelcomeWho,
    WelcomeCamera,
    WelcomeConsent,
    WelcomeConsentNeeded,
    Continue,
    Back,
    StepOf,
    PurposeTitle,
    PurposeIdentity,
    PurposeIdentityHint,
    PurposeAddress,
    PurposeAddressHint,
    PurposeNeeded,
    DocumentTitleIdentity,
    DocumentTitleAddress,
    DocumentNeeded,
    DetailsTitle,
    DetailsIntro,
    DetailsNumber,
    DetailsIssuedBy,
    DetailsIssuedByHint,
    DetailsExpires,
    ErrorRequiredNumber,
    ErrorRequiredIssuedBy,
    ErrorRequiredExpires,
    ErrorTooLong,
    ErrorInvalidCharacters,
    ErrorNotADate,
    ErrorDateInPast,
    ErrorServerSaid,
    CapturePhotoTitle,
    CapturePhotoHint,
    CaptureFrontTitle,
    CaptureBackTitle,
    CaptureDocumentHint,
    CaptureBackOptional,
    CaptureTake,
    CaptureSwitch,
    CaptureUpload,
    CaptureUploadLabel,
    CaptureStarting,
    CaptureRetake,
    CaptureUse,
    CaptureSkip,
    CaptureReviewHint,
    CapturePreviewAlt,
    CaptureNeeded,
    CameraDenied,
    CameraUnsupported,
    CameraNone,
    CameraBusy,
    CameraFailed,
    CameraRetry,
    FileEmpty,
    FileTooLarge,
    FileNotAnImage,
    FileUnreadable,
    ReviewTitle,
    ReviewWhat,
    ReviewDocument,
    ReviewChange,
    ReviewSubmit,
    ReviewSending,
    ProgressCheck,
    ProgressImage,
    ProgressDocument,
    ProgressDone,
    Retry,
    FailedNetwork,
    FailedInterrupted,
    ReloadedRetake,
    FailedServer,
    FailedThrottled,
    FailedUnauthorized,
    FailedForbidden,
    FailedRejected,
    FailedConfiguration,
    FailedAt,
    SubmittedTitle,
    SubmittedRecords,
    SubmittedStatus,
    StatusNone,
    StatusPending,
    StatusSubmitted,
    StatusSuccessful,
    StatusFailed,
    StatusCancelled,
    StatusChecking,
    StatusUnavailable,
    ReviewerNotes,
    SendNewImages,
    NextPurpose,
    ConfigTitle,
    ConfigIntro,
    SlotPhoto,
    SlotFront,
    SlotBack,
    DocPassport,
    DocDriversLicense,
    DocIdCard,
    DocUniformedServiceId,
    DocCertificateOfNaturalization,
    DocAccessCard,
    DocMatriculaConsular,
    DocResidentCard,
    DocUniversityId,
    DocNexusCard,
    DocOther,
    DocLease,
    DocInsurance,
    DocMortgage,
    DocVehicleRegistration,
    DocVoterCard,
    Cancel,
    KioskStillThere,
    KioskResetIn,
    KioskKeepGoing,
    KioskThanks,
    KioskNextPerson,
    KioskFullscreen,
    WelcomeTitleAddress,
    WelcomeWhatAddressDocument,
    MasWelcomeTitle,
    MasWelcomeIntro,
    MasWelcomeWhat,
    MasWelcomeNoImages,
    MasWelcomeWho,
    MasConsent,
    MasFormTitle,
    MasFirstName,
    MasLastName,
    MasDocumentType,
    MasNif,
    MasNie,
    MasNumber,
    MasCountry,
    MasErrorRequiredNumber,
    MasErrorWrongLetter,
    MasErrorFormatNif,
    MasErrorFormatNie,
    MasErrorFormatPassport,
    MasErrorCountry,
    MasErrorTypeNeeded,
    MasCreate,
    MasCreating,
    MasCreatedTitle,
    MasIdentification,
    MasExpiresAt,
    MasStatePending,
    MasStateCompleted,
    MasStateCancelled,
    MasStateExpired,
    MasCancel,
    MasCancelReason,
    MasCancelConfirm,
    MasCancelReasonNeeded,
    MasCancelled,
    MasConflict,
    MasNotFound,
    CodeTitle,
    CodeIntro,
    CodeLabel,
    CodeHint,
    CodeSending,
    CodeChecking,
    CodeIncomplete,
    CodeRejected,
    CodeLockedOut,
    CodeLockedOutMinute,
}

impl Text {
    pub const ALL: [Text; 177] = [
        Text::Language,
        Text::WelcomeTitle,
        Text::WelcomeIntro,
        Text::WelcomeWhatTitle,
        Text::WelcomeWhatFace,
        Text::WelcomeWhatDocument,
        Text::WelcomeWhatDetails,
        Text::WelcomeWhy,
        Text::WelcomeWho,
        Text::WelcomeCamera,
        Text::WelcomeConsent,
        Text::WelcomeConsentNeeded,
        Text::Continue,
        Text::Back,
        Text::StepOf,
        Text::PurposeTitle,
        Text::PurposeIdentity,
        Text::PurposeIdentityHint,
        Text::PurposeAddress,
        Text::PurposeAddressHint,
        Text::PurposeNeeded,
        Text::DocumentTitleIdentity,
        Text::DocumentTitleAddress,
        Text::DocumentNeeded,
        Text::DetailsTitle,
        Text::DetailsIntro,
        Text::DetailsNumber,
        Text::DetailsIssuedBy,
        Text::DetailsIssuedByHint,
        Text::DetailsExpires,
        Text::ErrorRequiredNumber,
        Text::ErrorRequiredIssuedBy,
        Text::ErrorRequiredExpires,
        Text::ErrorTooLong,
        Text::ErrorInvalidCharacters,
        Text::ErrorNotADate,
        Text::ErrorDateInPast,
        Text::ErrorServerSaid,
        Text::CapturePhotoTitle,
        Text::CapturePhotoHint,
        Text::CaptureFrontTitle,
        Text::CaptureBackTitle,
        Text::CaptureDocumentHint,
        Text::CaptureBackOptional,
        Text::CaptureTake,
        Text::CaptureSwitch,
        Text::CaptureUpload,
        Text::CaptureUploadLabel,
        Text::CaptureStarting,
        Text::CaptureRetake,
        Text::CaptureUse,
        Text::CaptureSkip,
        Text::CaptureReviewHint,
        Text::CapturePreviewAlt,
        Text::CaptureNeeded,
        Text::CameraDenied,
        Text::CameraUnsupported,
        Text::CameraNone,
        Text::CameraBusy,
        Text::CameraFailed,
        Text::CameraRetry,
        Text::FileEmpty,
        Text::FileTooLarge,
        Text::FileNotAnImage,
        Text::FileUnreadable,
        Text::ReviewTitle,
        Text::ReviewWhat,
        Text::ReviewDocument,
        Text::ReviewChange,
        Text::ReviewSubmit,
        Text::ReviewSending,
        Text::ProgressCheck,
        Text::ProgressImage,
        Text::ProgressDocument,
        Text::ProgressDone,
        Text::Retry,
        Text::FailedNetwork,
        Text::FailedInterrupted,
        Text::ReloadedRetake,
        Text::FailedServer,
        Text::FailedThrottled,
        Text::FailedUnauthorized,
        Text::FailedForbidden,
        Text::FailedRejected,
        Text::FailedConfiguration,
        Text::FailedAt,
        Text::SubmittedTitle,
        Text::SubmittedRecords,
        Text::SubmittedStatus,
        Text::StatusNone,
        Text::StatusPending,
        Text::StatusSubmitted,
        Text::StatusSuccessful,
        Text::StatusFailed,
        Text::StatusCancelled,
        Text::StatusChecking,
        Text::StatusUnavailable,
        Text::ReviewerNotes,
        Text::SendNewImages,
        Text::NextPurpose,
        Text::ConfigTitle,
        Text::ConfigIntro,
        Text::SlotPhoto,
        Text::SlotFront,
        Text::SlotBack,
        Text::DocPassport,
        Text::DocDriversLicense,
        Text::DocIdCard,
        Text::DocUniformedServiceId,
        Text::DocCertificateOfNaturalization,
        Text::DocAccessCard,
        Text::DocMatriculaConsular,
        Text::DocResidentCard,
        Text::DocUniversityId,
        Text::DocNexusCard,
        Text::DocOther,
        Text::DocLease,
        Text::DocInsurance,
        Text::DocMortgage,
        Text::DocVehicleRegistration,
        Text::DocVoterCard,
        Text::Cancel,
        Text::KioskStillThere,
        Text::KioskResetIn,
        Text::KioskKeepGoing,
        Text::KioskThanks,
        Text::KioskNextPerson,
        Text::KioskFullscreen,
        Text::WelcomeTitleAddress,
        Text::WelcomeWhatAddressDocument,
        Text::MasWelcomeTitle,
        Text::MasWelcomeIntro,
        Text::MasWelcomeWhat,
        Text::MasWelcomeNoImages,
        Text::MasWelcomeWho,
        Text::MasConsent,
        Text::MasFormTitle,
        Text::MasFirstName,
        Text::MasLastName,
        Text::MasDocumentType,
        Text::MasNif,
        Text::MasNie,
        Text::MasNumber,
        Text::MasCountry,
        Text::MasErrorRequiredNumber,
        Text::MasErrorWrongLetter,
        Text::MasErrorFormatNif,
        Text::MasErrorFormatNie,
        Text::MasErrorFormatPassport,
        Text::MasErrorCountry,
        Text::MasErrorTypeNeeded,
        Text::MasCreate,
        Text::MasCreating,
        Text::MasCreatedTitle,
        Text::MasIdentification,
        Text::MasExpiresAt,
        Text::MasStatePending,
        Text::MasStateCompleted,
        Text::MasStateCancelled,
        Text::MasStateExpired,
        Text::MasCancel,
        Text::MasCancelReason,
        Text::MasCancelConfirm,
        Text::MasCancelReasonNeeded,
        Text::MasCancelled,
        Text::MasConflict,
        Text::MasNotFound,
        Text::CodeTitle,
        Text::CodeIntro,
        Text::CodeLabel,
        Text::CodeHint,
        Text::CodeSending,
        Text::CodeChecking,
        Text::CodeIncomplete,
        Text::CodeRejected,
        Text::CodeLockedOut,
        Text::CodeLockedOutMinute,
    ];
}

/// The translation table: one row per key, one column per language.
pub fn t(lang: Lang, text: Text) -> &'static str {
    let [en, es] = match text {
        Text::Language => ["Language", "Idioma"],
        Text::WelcomeTitle => ["Verify your identity", "Verifica tu identidad"],
        Text::WelcomeIntro => [
            "Your workspace asks you to confirm who you are or where you live. It takes a few minutes.",
            "Tu espacio de trabajo te pide confirmar quién eres o dónde vives. Son unos minutos.",
        ],
        Text::WelcomeWhatTitle => ["What we will collect", "Qué vamos a recoger"],
        Text::WelcomeWhatFace => [
            "A photo of your face, taken with your camera or uploaded.",
            "Una foto de tu cara, hecha con la cámara o subida desde un archivo.",
        ],
        Text::WelcomeWhatDocument => [
            "Photos of the front and, for some documents, the back of your document.",
            "Fotos del anverso y, en algunos documentos, del reverso de tu documento.",
        ],
        Text::WelcomeWhatDetails => [
            "Your document's type, number, issuing authority and expiry date.",
            "El tipo, número, autoridad emisora y fecha de caducidad de tu documento.",
        ],
        Text::WelcomeWhy => [
            "They are used only to check your identity or address for your membership.",
            "Solo se usan para comprobar tu identidad o domicilio para tu membresía.",
        ],
        Text::WelcomeWho => [
            "They are sent directly to your workspace operator, not to a third party.",
            "Se envían directamente al operador de tu espacio, no a terceros.",
        ],
        Text::WelcomeCamera => [
            "We will ask to use your camera only when you reach a photo step. You can upload files instead.",
            "Solo pediremos usar la cámara al llegar a un paso de foto. También puedes subir archivos.",
        ],
        Text::WelcomeConsent => [
            "I agree to share these details and images with my workspace operator.",
            "Acepto compartir estos datos e imágenes con el operador de mi espacio.",
        ],
        Text::WelcomeConsentNeeded => [
            "Tick the box above to agree before you continue.",
            "Marca la casilla de arriba para aceptar antes de continuar.",
        ],
        Text::Continue => ["Continue", "Continuar"],
        Text::Back => ["Back", "Atrás"],
        Text::StepOf => ["Step {n} of {total}", "Paso {n} de {total}"],
        Text::PurposeTitle => ["What do you need to verify?", "¿Qué necesitas verificar?"],
        Text::PurposeIdentity => ["My identity", "Mi identidad"],
        Text::PurposeIdentityHint => [
            "With a passport, ID card, driving licence or similar.",
            "Con pasaporte, DNI, carné de conducir o similar.",
        ],
        Text::PurposeAddress => ["My address", "Mi domicilio"],
        Text::PurposeAddressHint => [
            "With a lease, insurance policy, mortgage or similar.",
            "Con un contrato de alquiler, póliza de seguro, hipoteca o similar.",
        ],
        Text::PurposeNeeded => [
            "Choose what you need to verify.",
            "Elige qué necesitas verificar.",
        ],
        Text::DocumentTitleIdentity => [
            "Which identity document will you use?",
            "¿Qué documento de identidad usarás?",
        ],
        Text::DocumentTitleAddress => [
            "Which document shows your address?",
            "¿Qué documento muestra tu domicilio?",
        ],
        Text::DocumentNeeded => ["Choose a document type.", "Elige un tipo de documento."],
        Text::DetailsTitle => ["Your document's details", "Los datos de tu documento"],
        Text::DetailsIntro => [
            "Type them exactly as they appear on the document.",
            "Escríbelos tal como aparecen en el documento.",
        ],
        Text::DetailsNumber => ["Document number", "Número del documento"],
        Text::DetailsIssuedBy => ["Issued by", "Expedido por"],
        Text::DetailsIssuedByHint => [
            "The authority or country that issued it.",
            "La autoridad o el país que lo expidió.",
        ],
        Text::DetailsExpires => ["Expiry date", "Fecha de caducidad"],
        Text::ErrorRequiredNumber => [
            "Enter the document number.",
            "Escribe el número del documento.",
        ],
        Text::ErrorRequiredIssuedBy => [
            "Enter who issued the document.",
            "Escribe quién expidió el documento.",
        ],
        Text::ErrorRequiredExpires => ["Enter the expiry date.", "Escribe la fecha de caducidad."],
        Text::ErrorTooLong => ["This is too long.", "Es demasiado largo."],
        Text::ErrorInvalidCharacters => [
            "Use only letters, digits, spaces and hyphens.",
            "Usa solo letras, números, espacios y guiones.",
        ],
        Text::ErrorNotADate => [
            "Enter a real date, for example 2030-05-31.",
            "Escribe una fecha real, por ejemplo 2030-05-31.",
        ],
        Text::ErrorDateInPast => [
            "This document has expired. Use a document that is still valid.",
            "Este documento ha caducado. Usa un documento vigente.",
        ],
        Text::ErrorServerSaid => [
            "The server did not accept this:",
            "El servidor no lo aceptó:",
        ],
        Text::CapturePhotoTitle => ["Take a photo of your face", "Hazte una foto de la cara"],
        Text::CapturePhotoHint => [
            "Face the camera in good light, without glasses or a hat, and fit your face in the oval.",
            "Mira a la cámara con buena luz, sin gafas ni gorra, y encaja la cara en el óvalo.",
        ],
        Text::CaptureFrontTitle => [
            "Photograph the front of your document",
            "Fotografía el anverso de tu documento",
        ],
        Text::CaptureBackTitle => [
            "Photograph the back of your document",
            "Fotografía el reverso de tu documento",
        ],
        Text::CaptureDocumentHint => [
            "Lay it flat in good light, fill the frame, and avoid glare on the text.",
            "Ponlo plano con buena luz, llena el recuadro y evita reflejos sobre el texto.",
        ],
        Text::CaptureBackOptional => [
            "The back is optional for this document.",
            "El reverso es opcional para este documento.",
        ],
        Text::CaptureTake => ["Take photo", "Hacer foto"],
        Text::CaptureSwitch => ["Switch camera", "Cambiar de cámara"],
        Text::CaptureUpload => ["Upload a file instead", "Subir un archivo"],
        Text::CaptureUploadLabel => [
            "Choose an image file (JPEG, PNG or WebP, up to 10 MB)",
            "Elige una imagen (JPEG, PNG o WebP, hasta 10 MB)",
        ],
        Text::CaptureStarting => ["Starting the camera…", "Iniciando la cámara…"],
        Text::CaptureRetake => ["Retake", "Repetir"],
        Text::CaptureUse => ["Use this photo", "Usar esta foto"],
        Text::CaptureSkip => ["Skip the back", "Omitir el reverso"],
        Text::CaptureReviewHint => [
            "Check that everything is sharp and readable.",
            "Comprueba que todo se ve nítido y legible.",
        ],
        Text::CapturePreviewAlt => ["The photo you took", "La foto que has hecho"],
        Text::CaptureNeeded => [
            "Take a photo or upload a file to continue.",
            "Haz una foto o sube un archivo para continuar.",
        ],
        Text::CameraDenied => [
            "The camera is blocked. To allow it, open your browser's site settings (the icon next to the address), allow the camera, and reload. Or upload a file below.",
            "La cámara está bloqueada. Para permitirla, abre los ajustes del sitio en tu navegador (el icono junto a la dirección), permite la cámara y recarga. O sube un archivo abajo.",
        ],
        Text::CameraUnsupported => [
            "This browser cannot use the camera here. Upload a file below.",
            "Este navegador no puede usar la cámara aquí. Sube un archivo abajo.",
        ],
        Text::CameraNone => [
            "No camera was found. Upload a file below.",
            "No se ha encontrado ninguna cámara. Sube un archivo abajo.",
        ],
        Text::CameraBusy => [
            "Another app is using the camera. Close it and try again, or upload a file below.",
            "Otra aplicación está usando la cámara. Ciérrala y vuelve a intentarlo, o sube un archivo abajo.",
        ],
        Text::CameraFailed => [
            "The camera could not start. Upload a file below.",
            "La cámara no ha podido iniciarse. Sube un archivo abajo.",
        ],
        Text::CameraRetry => ["Try the camera again", "Volver a probar la cámara"],
        Text::FileEmpty => [
            "That file is empty. Choose another.",
            "Ese archivo está vacío. Elige otro.",
        ],
        Text::FileTooLarge => [
            "That file is over 10 MB. Choose a smaller one.",
            "Ese archivo supera los 10 MB. Elige uno más pequeño.",
        ],
        Text::FileNotAnImage => [
            "That file is not a JPEG, PNG or WebP image. Choose a photo.",
            "Ese archivo no es una imagen JPEG, PNG o WebP. Elige una foto.",
        ],
        Text::FileUnreadable => [
            "That image could not be opened. Choose another.",
            "No se ha podido abrir esa imagen. Elige otra.",
        ],
        Text::ReviewTitle => ["Check and send", "Revisa y envía"],
        Text::ReviewWhat => ["Verifying", "Verificación de"],
        Text::ReviewDocument => ["Document", "Documento"],
        Text::ReviewChange => ["Change", "Cambiar"],
        Text::ReviewSubmit => ["Send for review", "Enviar a revisión"],
        Text::ReviewSending => ["Sending…", "Enviando…"],
        Text::ProgressCheck => ["Creating your check", "Creando tu verificación"],
        Text::ProgressImage => ["Sending the images", "Enviando las imágenes"],
        Text::ProgressDocument => [
            "Attaching them to your check",
            "Adjuntándolas a tu verificación",
        ],
        Text::ProgressDone => ["Sent", "Enviado"],
        Text::Retry => ["Try again", "Reintentar"],
        Text::FailedNetwork => [
            "The connection was lost. Nothing you entered is lost: try again.",
            "Se ha perdido la conexión. No se ha perdido nada de lo que escribiste: vuelve a intentarlo.",
        ],
        Text::FailedInterrupted => [
            "The page was reloaded while your check was being sent. Nothing is sent twice: press Try again to finish.",
            "La página se recargó mientras se enviaba tu verificación. Nada se envía dos veces: pulsa Reintentar para terminar.",
        ],
        Text::ReloadedRetake => [
            "The page was reloaded before this image was sent, so it was not kept. Please take it again.",
            "La página se recargó antes de enviar esta imagen, así que no se ha guardado. Vuelve a hacerla, por favor.",
        ],
        Text::FailedServer => [
            "The server had a problem. Nothing you entered is lost: try again.",
            "El servidor ha tenido un problema. No se ha perdido nada de lo que escribiste: vuelve a intentarlo.",
        ],
        Text::FailedThrottled => [
            "The server is busy. Wait a minute and try again.",
            "El servidor está ocupado. Espera un minuto y vuelve a intentarlo.",
        ],
        Text::FailedUnauthorized => [
            "Your session has expired. Reload the page from your member portal.",
            "Tu sesión ha caducado. Vuelve a cargar la página desde tu portal.",
        ],
        Text::FailedForbidden => [
            "Your account is not allowed to send identity checks. Contact your workspace.",
            "Tu cuenta no puede enviar verificaciones. Contacta con tu espacio.",
        ],
        Text::FailedRejected => [
            "Some details were not accepted. Correct them and send again.",
            "Algunos datos no se han aceptado. Corrígelos y vuelve a enviar.",
        ],
        Text::FailedConfiguration => [
            "The check could not be created because of how this page is set up. Contact your workspace.",
            "No se ha podido crear la verificación por cómo está configurada esta página. Contacta con tu espacio.",
        ],
        Text::FailedAt => ["What failed:", "Qué ha fallado:"],
        Text::SubmittedTitle => [
            "Thank you, your documents were sent",
            "Gracias, tus documentos se han enviado",
        ],
        Text::SubmittedRecords => [
            "Check {check}, document {document}",
            "Verificación {check}, documento {document}",
        ],
        Text::SubmittedStatus => ["Status", "Estado"],
        Text::StatusNone => ["Unknown", "Desconocido"],
        Text::StatusPending => [
            "Pending: waiting for your documents",
            "Pendiente: esperando tus documentos",
        ],
        Text::StatusSubmitted => [
            "Submitted: waiting for review",
            "Enviada: pendiente de revisión",
        ],
        Text::StatusSuccessful => ["Verified", "Verificada"],
        Text::StatusFailed => ["Not accepted", "No aceptada"],
        Text::StatusCancelled => ["Cancelled", "Cancelada"],
        Text::StatusChecking => ["Checking the status…", "Consultando el estado…"],
        Text::StatusUnavailable => [
            "The status could not be checked just now; we will try again.",
            "No se ha podido consultar el estado ahora; lo volveremos a intentar.",
        ],
        Text::ReviewerNotes => ["Reviewer's notes", "Notas de quien revisa"],
        Text::SendNewImages => ["Send new images", "Enviar nuevas imágenes"],
        Text::NextPurpose => ["Continue with your address", "Continuar con tu domicilio"],
        Text::ConfigTitle => [
            "This page is not set up correctly",
            "Esta página no está bien configurada",
        ],
        Text::ConfigIntro => [
            "Ask your workspace to check these settings:",
            "Pide a tu espacio que revise estos ajustes:",
        ],
        Text::SlotPhoto => ["Face photo", "Foto de la cara"],
        Text::SlotFront => ["Front", "Anverso"],
        Text::SlotBack => ["Back", "Reverso"],
        Text::DocPassport => ["Passport", "Pasaporte"],
        Text::DocDriversLicense => ["Driving licence", "Permiso de conducir"],
        Text::DocIdCard => ["National identity card", "Documento nacional de identidad"],
        Text::DocUniformedServiceId => [
            "Uniformed services ID",
            "Identificación de servicios uniformados",
        ],
        Text::DocCertificateOfNaturalization => [
            "Certificate of naturalisation",
            "Certificado de naturalización",
        ],
        Text::DocAccessCard => ["Access card", "Tarjeta de acceso"],
        Text::DocMatriculaConsular => ["Matrícula consular", "Matrícula consular (México)"],
        Text::DocResidentCard => ["Residence card", "Tarjeta de residencia"],
        Text::DocUniversityId => ["University ID card", "Carné universitario"],
        Text::DocNexusCard => ["NEXUS card", "Tarjeta NEXUS"],
        Text::DocOther => ["Another document", "Otro documento"],
        Text::DocLease => ["Lease or rental agreement", "Contrato de alquiler"],
        Text::DocInsurance => ["Insurance policy", "Póliza de seguro"],
        Text::DocMortgage => ["Mortgage statement", "Documento de hipoteca"],
        Text::DocVehicleRegistration => ["Vehicle registration", "Permiso de circulación"],
        Text::DocVoterCard => ["Voter card", "Tarjeta electoral"],
        Text::Cancel => ["Cancel", "Cancelar"],
        Text::KioskStillThere => ["Are you still there?", "¿Sigues ahí?"],
        Text::KioskResetIn => [
            "For your privacy, this will start again in {seconds} seconds.",
            "Por tu privacidad, esto volverá a empezar en {seconds} segundos.",
        ],
        Text::KioskKeepGoing => ["I'm still here", "Sigo aquí"],
        Text::KioskThanks => [
            "Thank you! This screen clears in {seconds} seconds for the next person.",
            "¡Gracias! Esta pantalla se borrará en {seconds} segundos para la siguiente persona.",
        ],
        Text::KioskNextPerson => ["Finish now", "Terminar ahora"],
        Text::KioskFullscreen => ["Full screen", "Pantalla completa"],
        Text::WelcomeTitleAddress => ["Confirm your address", "Confirma tu domicilio"],
        Text::WelcomeWhatAddressDocument => [
            "Photos of a document that shows your address, such as a lease or an insurance policy.",
            "Fotos de un documento con tu domicilio, como un contrato de alquiler o una póliza de seguro.",
        ],
        Text::MasWelcomeTitle => [
            "Verify your identity document",
            "Verifica tu documento de identidad",
        ],
        Text::MasWelcomeIntro => [
            "Your workspace verifies identity documents with MasStack, the identification service of Grupo MasOrange.",
            "Tu espacio verifica los documentos de identidad con MasStack, el servicio de identificación de Grupo MasOrange.",
        ],
        Text::MasWelcomeWhat => [
            "Your name, and your document's type, number and issuing country.",
            "Tu nombre y el tipo, número y país de expedición de tu documento.",
        ],
        Text::MasWelcomeNoImages => [
            "No photos are taken and the camera is not used: you will not be asked for any image.",
            "No se hacen fotos ni se usa la cámara: no se te pedirá ninguna imagen.",
        ],
        Text::MasWelcomeWho => [
            "These details go to MasStack on behalf of your workspace operator, only to identify you.",
            "Estos datos se envían a MasStack en nombre del operador de tu espacio, solo para identificarte.",
        ],
        Text::MasConsent => [
            "I agree to share these details for my identification.",
            "Acepto compartir estos datos para mi identificación.",
        ],
        Text::MasFormTitle => ["Your identity document", "Tu documento de identidad"],
        Text::MasFirstName => ["First name", "Nombre"],
        Text::MasLastName => ["Last name", "Apellidos"],
        Text::MasDocumentType => ["Document type", "Tipo de documento"],
        Text::MasNif => [
            "NIF (Spanish national identity number)",
            "NIF (número de identidad español)",
        ],
        Text::MasNie => [
            "NIE (Spanish foreigner identity number)",
            "NIE (número de identidad de extranjero)",
        ],
        Text::MasNumber => ["Document number", "Número del documento"],
        Text::MasCountry => [
            "Issuing country (two letters, for example ES)",
            "País de expedición (dos letras, por ejemplo ES)",
        ],
        Text::MasErrorRequiredNumber => [
            "Enter the document number.",
            "Escribe el número del documento.",
        ],
        Text::MasErrorWrongLetter => [
            "The letter does not match the number: it should be {letter}.",
            "La letra no corresponde al número: debería ser {letter}.",
        ],
        Text::MasErrorFormatNif => [
            "A NIF has 8 digits and a letter, for example 12345678Z.",
            "Un NIF tiene 8 cifras y una letra, por ejemplo 12345678Z.",
        ],
        Text::MasErrorFormatNie => [
            "A NIE starts with X, Y or Z, then 7 digits and a letter, for example X1234567L.",
            "Un NIE empieza por X, Y o Z, seguido de 7 cifras y una letra, por ejemplo X1234567L.",
        ],
        Text::MasErrorFormatPassport => [
            "A passport number has 5 to 20 letters and digits.",
            "Un número de pasaporte tiene de 5 a 20 letras y cifras.",
        ],
        Text::MasErrorCountry => [
            "Enter a two-letter country code, for example ES, FR or GB.",
            "Escribe el código de país de dos letras, por ejemplo ES, FR o GB.",
        ],
        Text::MasErrorTypeNeeded => ["Choose the document type.", "Elige el tipo de documento."],
        Text::MasCreate => ["Start identification", "Iniciar identificación"],
        Text::MasCreating => ["Starting…", "Iniciando…"],
        Text::MasCreatedTitle => [
            "Your identification has started",
            "Tu identificación ha comenzado",
        ],
        Text::MasIdentification => ["Identification {id}", "Identificación {id}"],
        Text::MasExpiresAt => ["Valid until {date}", "Válida hasta {date}"],
        Text::MasStatePending => [
            "Pending: waiting for the identification",
            "Pendiente: a la espera de la identificación",
        ],
        Text::MasStateCompleted => ["Completed", "Completada"],
        Text::MasStateCancelled => ["Cancelled", "Cancelada"],
        Text::MasStateExpired => ["Expired", "Caducada"],
        Text::MasCancel => ["Cancel this identification", "Cancelar esta identificación"],
        Text::MasCancelReason => ["Why are you cancelling it?", "¿Por qué la cancelas?"],
        Text::MasCancelConfirm => ["Cancel the identification", "Cancelar la identificación"],
        Text::MasCancelReasonNeeded => [
            "Say why you are cancelling it.",
            "Indica por qué la cancelas.",
        ],
        Text::MasCancelled => [
            "The identification was cancelled.",
            "La identificación se ha cancelado.",
        ],
        Text::MasConflict => [
            "This identification is already finished or cancelled, so it cannot be cancelled.",
            "Esta identificación ya ha terminado o se ha cancelado, así que no se puede cancelar.",
        ],
        Text::MasNotFound => [
            "This identification no longer exists.",
            "Esta identificación ya no existe.",
        ],
        Text::CodeTitle => ["Enter your code", "Introduce tu código"],
        Text::CodeIntro => [
            "Type the code from your invitation. It has 8 letters and numbers; capitals, spaces and dashes do not matter.",
            "Escribe el código de tu invitación. Tiene 8 letras y números; dan igual las mayúsculas, los espacios y los guiones.",
        ],
        Text::CodeLabel => ["Your code", "Tu código"],
        Text::CodeHint => ["For example: K7M3-QX9A", "Por ejemplo: K7M3-QX9A"],
        Text::CodeSending => ["Checking your code…", "Comprobando tu código…"],
        Text::CodeChecking => ["Checking your invitation…", "Comprobando tu invitación…"],
        Text::CodeIncomplete => [
            "Enter all 8 letters and numbers of your code.",
            "Escribe las 8 letras y números de tu código.",
        ],
        Text::CodeRejected => [
            "This code is not valid, or it was already used or has expired. Check it, or ask your workspace for a new one.",
            "Este código no es válido, o ya se ha usado o ha caducado. Revísalo o pide uno nuevo a tu espacio.",
        ],
        Text::CodeLockedOut => [
            "Too many wrong codes. Try again in {minutes} minutes.",
            "Demasiados códigos incorrectos. Vuelve a intentarlo dentro de {minutes} minutos.",
        ],
        Text::CodeLockedOutMinute => [
            "Too many wrong codes. Try again in 1 minute.",
            "Demasiados códigos incorrectos. Vuelve a intentarlo dentro de 1 minuto.",
        ],
    };
    match lang {
        Lang::En => en,
        Lang::Es => es,
    }
}

/// The human name of a document type.
pub fn document_text(kind: DocumentKind) -> Text {
    use AddressDocumentType as Address;
    use IdentityDocumentType as Identity;
    match kind {
        DocumentKind::Identity(Identity::Passport) | DocumentKind::Address(Address::Passport) => {
            Text::DocPassport
        }
        DocumentKind::Identity(Identity::DriversLicense)
        | DocumentKind::Address(Address::DriversLicense) => Text::DocDriversLicense,
        DocumentKind::Identity(Identity::IdCard) | DocumentKind::Address(Address::IdCard) => {
            Text::DocIdCard
        }
        DocumentKind::Identity(Identity::UniformedServiceId) => Text::DocUniformedServiceId,
        DocumentKind::Identity(Identity::CertificateOfNaturalization) => {
            Text::DocCertificateOfNaturalization
        }
        DocumentKind::Identity(Identity::AccessCard) => Text::DocAccessCard,
        DocumentKind::Identity(Identity::MatriculaConsular) => Text::DocMatriculaConsular,
        DocumentKind::Identity(Identity::ResidentCard) => Text::DocResidentCard,
        DocumentKind::Identity(Identity::UniversityId) => Text::DocUniversityId,
        DocumentKind::Identity(Identity::NexusCard) => Text::DocNexusCard,
        DocumentKind::Address(Address::LeaseRentalAgreement) => Text::DocLease,
        DocumentKind::Address(Address::InsurancePolicy) => Text::DocInsurance,
        DocumentKind::Address(Address::Mortgage) => Text::DocMortgage,
        DocumentKind::Address(Address::VehicleRegistrationCard) => Text::DocVehicleRegistration,
        DocumentKind::Address(Address::VoterCard) => Text::DocVoterCard,
        DocumentKind::Identity(Identity::Other | Identity::None)
        | DocumentKind::Address(Address::Other | Address::None) => Text::DocOther,
    }
}

/// The plain-words explanation of a rule the member's input breaks.
pub fn violation_text(violation: &Violation) -> Text {
    match (violation.code, violation.property.as_str()) {
        (ViolationCode::Required, "IdentityDocumentNumber") => Text::ErrorRequiredNumber,
        (ViolationCode::Required, "IdentityDocumentIssuedBy") => Text::ErrorRequiredIssuedBy,
        (ViolationCode::Required, "IdentityDocumentExpirationDate") => Text::ErrorRequiredExpires,
        (ViolationCode::TooLong, _) => Text::ErrorTooLong,
        (ViolationCode::InvalidCharacters, _) => Text::ErrorInvalidCharacters,
        (ViolationCode::NotADate, _) => Text::ErrorNotADate,
        (ViolationCode::DateInPast, _) => Text::ErrorDateInPast,
        (ViolationCode::FileEmpty | ViolationCode::FileTooSmall, _) => Text::FileEmpty,
        (ViolationCode::FileTooLarge, _) => Text::FileTooLarge,
        (ViolationCode::FileNotAnImage, _) => Text::FileNotAnImage,
        (ViolationCode::MissingFile, _) => Text::CaptureNeeded,
        _ => Text::ErrorServerSaid,
    }
}

/// The words for a check's status.
pub fn status_text(status: VerificationStatus) -> Text {
    match status {
        VerificationStatus::None => Text::StatusNone,
        VerificationStatus::Pending => Text::StatusPending,
        VerificationStatus::Submitted => Text::StatusSubmitted,
        VerificationStatus::Successful => Text::StatusSuccessful,
        VerificationStatus::Failed => Text::StatusFailed,
        VerificationStatus::Cancelled => Text::StatusCancelled,
    }
}

/// Fills `{name}` placeholders of a translated text.
pub fn fill(text: &str, values: &[(&str, &str)]) -> String {
    values.iter().fold(text.to_string(), |text, (name, value)| {
        text.replace(&format!("{{{name}}}"), value)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

    #[test]
    fn preferences_pick_the_first_supported_language() {
        assert_eq!(Lang::from_preferences(["fr-FR", "es-MX", "en"]), Lang::Es);
        assert_eq!(Lang::from_preferences(["EN_gb"]), Lang::En);
        assert_eq!(Lang::from_preferences(["de", "fr"]), Lang::En);
        assert_eq!(Lang::from_preferences([]), Lang::En);
    }

    #[test]
    fn every_text_is_translated_in_every_language() {
        for lang in Lang::ALL {
            for text in Text::ALL {
                assert!(
                    !t(lang, text).trim().is_empty(),
                    "{text:?} is empty in {lang:?}"
                );
            }
        }
        for text in Text::ALL {
            assert_ne!(
                t(Lang::En, text),
                t(Lang::Es, text),
                "{text:?} is not translated"
            );
        }
    }

    #[test]
    fn every_document_type_has_its_own_name() {
        let identity: Vec<Text> = IdentityDocumentType::ALL
            .iter()
            .filter(|kind| **kind != IdentityDocumentType::None)
            .map(|kind| document_text(DocumentKind::Identity(*kind)))
            .collect();
        let mut unique = identity.clone();
        unique.sort_by_key(|text| format!("{text:?}"));
        unique.dedup();
        assert_eq!(unique.len(), identity.len());
        assert_eq!(
            document_text(DocumentKind::Address(AddressDocumentType::VoterCard)),
            Text::DocVoterCard
        );
    }

    #[test]
    fn a_lock_out_names_its_minutes_in_both_languages() {
        for lang in Lang::ALL {
            let text = fill(t(lang, Text::CodeLockedOut), &[("minutes", "15")]);
            assert!(text.contains("15") && !text.contains('{'), "{text}");
        }
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(
            fill(t(Lang::Es, Text::StepOf), &[("n", "2"), ("total", "7")]),
            "Paso 2 de 7"
        );
    }
}
