//! One image slot: a live camera preview with a framing guide (front camera for the face, rear for
//! documents), capture, then review with retake / use this. Uploading a file is always offered,
//! and is the way through when there is no camera or permission is refused.

use idcheck_core::capture::Method;
use idcheck_core::files;
use idcheck_core::slots::{Need, Slot, slot_need};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::browser;
use crate::camera::{self, Camera, CameraError, Facing};
use crate::i18n::{Text, violation_text};
use crate::session::Session;
use crate::ui::{BlockerMessage, Picture, StepHeading};

/// What the preview area shows.
#[derive(Debug, Clone, PartialEq)]
enum Preview {
    Starting,
    Live,
    Unavailable(CameraError),
}

fn texts(slot: Slot) -> (Text, Text) {
    match slot {
        Slot::Photo => (Text::CapturePhotoTitle, Text::CapturePhotoHint),
        Slot::Front => (Text::CaptureFrontTitle, Text::CaptureDocumentHint),
        Slot::Back => (Text::CaptureBackTitle, Text::CaptureDocumentHint),
    }
}

fn camera_error_text(error: &CameraError) -> Text {
    match error {
        CameraError::Denied => Text::CameraDenied,
        CameraError::Unsupported => Text::CameraUnsupported,
        CameraError::NoCamera => Text::CameraNone,
        CameraError::Busy => Text::CameraBusy,
        CameraError::Other(_) => Text::CameraFailed,
    }
}

#[component]
pub fn Capture(side: Slot) -> impl IntoView {
    let slot = side;
    let session = expect_context::<Session>();
    let (title, hint) = texts(slot);
    let optional = session
        .flow
        .with_untracked(|flow| flow.document_kind().map(|kind| slot_need(kind, slot)))
        == Some(Need::Optional);
    let image = move || session.images.with(|images| images.get(&slot).cloned());
    let reviewing = move || image().is_some() && session.flow.with(|flow| flow.is_captured(slot));

    view! {
        <section class="idcheck-capture">
            <StepHeading text=title/>
            <p>{session.text(hint)}</p>
            {optional.then(|| view! { <p class="idcheck-note">{session.text(Text::CaptureBackOptional)}</p> })}
            <Show
                when=reviewing
                fallback=move || view! { <LiveCapture side=slot optional/> }
            >
                <div class="idcheck-frame">
                    {move || image().map(|image| view! {
                        <Picture image class="idcheck-shot" label=Text::CapturePreviewAlt/>
                    })}
                </div>
                <p>{session.text(Text::CaptureReviewHint)}</p>
                <div class="idcheck-nav">
                    <button type="button" class="idcheck-primary" on:click=move |_| session.next()>
                        {session.text(Text::CaptureUse)}
                    </button>
                    <button
                        type="button"
                        class="idcheck-secondary"
                        on:click=move |_| session.discard_image(slot)
                    >
                        {session.text(Text::CaptureRetake)}
                    </button>
                </div>
            </Show>
        </section>
    }
}

/// The camera preview and the upload alternative. The camera stops when this leaves the page.
#[component]
fn LiveCapture(side: Slot, optional: bool) -> impl IntoView {
    let slot = side;
    let session = expect_context::<Session>();
    let facing = if slot == Slot::Photo {
        Facing::User
    } else {
        Facing::Environment
    };
    let video = NodeRef::<leptos::html::Video>::new();
    let preview = RwSignal::new(Preview::Starting);
    let camera = StoredValue::new_local(None::<Camera>);
    let devices = RwSignal::new(Vec::<String>::new());
    let file_error = RwSignal::new(None::<Text>);
    let busy = RwSignal::new(false);
    // A kiosk remembers the camera its staff picked for each side; a member's own device does not
    // keep anything.
    let kiosk = session
        .config
        .with_value(|config| matches!(config.mode, crate::config::Mode::Kiosk(_)));
    let facing_name = if facing == Facing::User {
        "user"
    } else {
        "environment"
    };
    let remembered = kiosk
        .then(|| crate::ui::kiosk::remembered_camera(facing_name))
        .flatten();
    // Set to (re)open the camera, with the device to use.
    let wanted_device = RwSignal::new(remembered);

    let open = move |device: Option<String>| {
        camera.update_value(|camera| *camera = None); // stops the old stream first
        preview.set(Preview::Starting);
        spawn_local(async move {
            let opened = Camera::open(facing, device.as_deref()).await;
            let Some(element) = video.get_untracked() else {
                return; // left the step while the camera was starting: the stream is dropped
            };
            let opened = match opened {
                Ok(opened) => opened,
                Err(error) => {
                    let _ = preview.try_set(Preview::Unavailable(error));
                    return;
                }
            };
            if let Err(error) = opened.show_in(&element).await {
                let _ = preview.try_set(Preview::Unavailable(error));
                return;
            }
            if camera
                .try_update_value(|slot| *slot = Some(opened))
                .is_none()
            {
                return;
            }
            let _ = preview.try_set(Preview::Live);
            let found = camera::video_inputs().await;
            let _ = devices.try_set(found);
        });
    };

    Effect::new(move |_| {
        let device = wanted_device.get();
        if video.get().is_some() {
            open(device);
        }
    });
    on_cleanup(move || {
        camera.update_value(|camera| *camera = None);
    });

    let take = move |_| {
        let Some(element) = video.get_untracked() else {
            return;
        };
        if busy.get_untracked() || preview.get_untracked() != Preview::Live {
            return;
        }
        busy.set(true);
        let options = session.config.with_value(|config| config.image);
        spawn_local(async move {
            match camera::capture(&element, options).await {
                Ok(frame) => {
                    camera.update_value(|camera| *camera = None);
                    session.keep_image(slot, frame, Method::Manual, None);
                }
                Err(_) => {
                    let _ = file_error.try_set(Some(Text::CameraFailed));
                }
            }
            let _ = busy.try_set(false);
        });
    };

    let switch = move |_| {
        let list = devices.get_untracked();
        let current = camera.with_value(|camera| camera.as_ref().and_then(Camera::device_id));
        let index = current
            .and_then(|current| list.iter().position(|id| *id == current))
            .map_or(0, |index| (index + 1) % list.len().max(1));
        let next = list.get(index).cloned();
        if kiosk && let Some(device) = &next {
            crate::ui::kiosk::remember_camera(facing_name, device);
        }
        wanted_device.set(next);
    };

    let on_file = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|files| files.get(0)) else {
            return;
        };
        input.set_value(""); // the same file can be chosen again after an error
        busy.set(true);
        file_error.set(None);
        let options = session.config.with_value(|config| config.image);
        spawn_local(async move {
            let result = accept_file(&file, options).await;
            match result {
                Ok(frame) => {
                    camera.update_value(|camera| *camera = None);
                    session.keep_image(slot, frame, Method::Uploaded, None);
                }
                Err(text) => {
                    let _ = file_error.try_set(Some(text));
                    session.announce(text);
                }
            }
            let _ = busy.try_set(false);
        });
    };

    let server_error = move || {
        session.server_errors.with(|errors| {
            errors
                .iter()
                .find(|error| error.property == slot.new_url_property())
                .map(|error| format!("{} {}", session.t(Text::ErrorServerSaid), error.message))
        })
    };
    let guide_class = if slot == Slot::Photo {
        "idcheck-guide idcheck-guide-face"
    } else {
        "idcheck-guide idcheck-guide-card"
    };
    let input_id = session.id(&format!(
        "file-{}",
        slot.field_prefix().to_ascii_lowercase()
    ));

    view! {
        <div class="idcheck-frame" aria-busy=move || (preview.get() == Preview::Starting).to_string()>
            <video
                node_ref=video
                class="idcheck-video"
                class:idcheck-mirrored=slot == Slot::Photo
                autoplay=true
                muted=true
                playsinline=true
                aria-hidden="true"
            ></video>
            <div class=guide_class aria-hidden="true"></div>
            {move || match preview.get() {
                Preview::Starting => Some(view! { <p class="idcheck-frame-message">{session.t(Text::CaptureStarting)}</p> }.into_any()),
                Preview::Live => None,
                Preview::Unavailable(error) => Some(view! {
                    <div class="idcheck-frame-message" role="alert">
                        <p>{session.t(camera_error_text(&error))}</p>
                        <button type="button" class="idcheck-secondary" on:click=move |_| wanted_device.set(None)>
                            {session.t(Text::CameraRetry)}
                        </button>
                    </div>
                }.into_any()),
            }}
        </div>
        <div class="idcheck-nav">
            <Show when=move || preview.get() == Preview::Live>
                <button
                    type="button"
                    class="idcheck-primary"
                    disabled=move || busy.get()
                    on:click=take
                >
                    {session.text(Text::CaptureTake)}
                </button>
                <Show when=move || devices.with(|d| d.len() > 1)>
                    <button type="button" class="idcheck-secondary" on:click=switch>
                        {session.text(Text::CaptureSwitch)}
                    </button>
                </Show>
            </Show>
            <label class="idcheck-secondary idcheck-upload" for=input_id.clone()>
                {session.text(Text::CaptureUpload)}
            </label>
            <input
                id=input_id
                class="idcheck-visually-hidden"
                type="file"
                accept=files::accept_attribute()
                aria-label=session.text(Text::CaptureUploadLabel)
                on:change=on_file
            />
            {optional.then(|| view! {
                <button type="button" class="idcheck-secondary idcheck-skip" on:click=move |_| session.next()>
                    {session.text(Text::CaptureSkip)}
                </button>
            })}
            <button type="button" class="idcheck-secondary" on:click=move |_| session.back()>
                {session.text(Text::Back)}
            </button>
        </div>
        <p class="idcheck-error" role="alert">
            {move || file_error.get().map(|text| session.t(text).to_string()).or_else(server_error)}
        </p>
        <BlockerMessage/>
    }
}

/// Checks a picked file with the shared file rules (type sniffed from the bytes, size), then
/// re-encodes it like a camera frame. A file over the size limit is refused by the size the browser
/// reports, before a byte of it is read into memory.
async fn accept_file(
    file: &web_sys::File,
    options: crate::config::ImageOptions,
) -> Result<camera::Frame, Text> {
    if file.size() > files::MAX_FILE_BYTES as f64 {
        return Err(Text::FileTooLarge);
    }
    let bytes = browser::file_bytes(file)
        .await
        .map_err(|_| Text::FileUnreadable)?;
    let image_type =
        files::check_file("file", &bytes).map_err(|violation| violation_text(&violation))?;
    let blob = browser::blob(&bytes, image_type.mime()).map_err(|_| Text::FileUnreadable)?;
    let image = browser::decode(&blob)
        .await
        .map_err(|_| Text::FileUnreadable)?;
    let frame = camera::reencode(&image, options)
        .await
        .map_err(|_| Text::FileUnreadable);
    image.close();
    frame
}
