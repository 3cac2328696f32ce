//! One image slot: a live camera preview with a framing guide (front camera for the face, rear for
//! documents), live guidance while it shows (one instruction at a time, the guide turning *ready*,
//! auto-capture after a countdown), capture, then review with retake / use this. Uploading a file
//! is always offered, and is the way through when there is no camera or permission is refused.
//! What to advise and when to capture is the core's (`frame::guidance`); `guidance` runs the loop.

use std::rc::Rc;

use idcheck_core::capture::Method;
use idcheck_core::files::{self, Accepts};
use idcheck_core::frame::guidance::{self, Decision, Origin, Speech};
use idcheck_core::frame::{Advice, Rect, Side, Subject};
use idcheck_core::slots::{Need, Slot, slot_need};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::browser;
use crate::camera::{self, Camera, CameraError, Facing, Source};
use crate::face::FaceDetector;
use crate::guidance::{Kept, Live, Setup};
use crate::i18n::{Text, fill, violation_text};
use crate::session::Session;
use crate::ui::handoff::ContinueOnPhone;
use crate::ui::{BlockerMessage, Picture, StepHeading};
use crate::upload::{self, Chosen};

/// What the preview area shows.
#[derive(Debug, Clone, PartialEq)]
enum Preview {
    Starting,
    Live,
    Unavailable(CameraError),
}

/// What the member just did that changed the view, so focus can follow instead of falling to the
/// page: a kept image (taken, auto-captured or uploaded) focuses the review's first action, a
/// retake the camera's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Moved {
    Kept,
    Retaken,
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

/// The words for an advice of the frame analysis. `Ready` on a step that cannot capture by itself
/// (the face step without a face check) asks for what is left to the member.
pub fn advice_text(advice: Advice, subject: Subject, auto_capture: bool) -> Text {
    match advice {
        Advice::Ready if subject == Subject::Face && !auto_capture => Text::GuideFitFace,
        Advice::Ready => Text::GuideReady,
        Advice::MoreLight => Text::GuideMoreLight,
        Advice::LessLight => Text::GuideLessLight,
        Advice::MoreContrast => Text::GuideMoreContrast,
        Advice::PlaceDocument => Text::GuidePlaceDocument,
        Advice::MoveCloser => Text::GuideMoveCloser,
        Advice::MoveBack => Text::GuideMoveBack,
        Advice::ShowWholeDocument(Side::Top) => Text::GuideCutOffTop,
        Advice::ShowWholeDocument(Side::Right) => Text::GuideCutOffRight,
        Advice::ShowWholeDocument(Side::Bottom) => Text::GuideCutOffBottom,
        Advice::ShowWholeDocument(Side::Left) => Text::GuideCutOffLeft,
        Advice::CheckDocument => Text::GuideCheckDocument,
        Advice::HoldStraight => Text::GuideHoldStraight,
        Advice::AvoidGlare => Text::GuideAvoidGlare,
        Advice::Focus => Text::GuideFocus,
        Advice::HoldStill => Text::GuideHoldStill,
        Advice::FitFace => Text::GuideFitFace,
        Advice::OnlyOneFace => Text::GuideOnlyOneFace,
    }
}

/// What the guide of `slot` should hold, for the document chosen.
fn subject_of(session: &Session, slot: Slot) -> Subject {
    session
        .flow
        .with_untracked(|flow| flow.document_kind())
        .map_or(
            if slot == Slot::Photo {
                Subject::Face
            } else {
                Subject::Document
            },
            |kind| Subject::for_slot(kind, slot),
        )
}

fn guide_class(subject: Subject) -> &'static str {
    match subject {
        Subject::Face => "idcheck-guide idcheck-guide-face",
        Subject::PassportPage => "idcheck-guide idcheck-guide-passport",
        Subject::A4Page => "idcheck-guide idcheck-guide-page",
        Subject::Id1Card | Subject::Document => "idcheck-guide idcheck-guide-card",
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
    let is_pdf = move || {
        session
            .images
            .with(|images| images.get(&slot).is_some_and(|i| i.pdf.is_some()))
    };
    let moved = RwSignal::new(None::<Moved>);
    // The kept image's advice, when the analysis found it poor: the member may keep it anyway.
    let note = RwSignal::new(None::<Advice>);
    let subject = subject_of(&session, slot);
    let auto_capture = guidance::auto_captures(subject, false);
    let use_button = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if let Some(button) = use_button.get()
            && moved.get_untracked() == Some(Moved::Kept)
        {
            moved.set(None);
            let _ = button.focus();
        }
    });
    let note_id = move || {
        session.id(&format!(
            "note-{}",
            slot.field_prefix().to_ascii_lowercase()
        ))
    };

    view! {
        <section class="idcheck-capture">
            <StepHeading text=title/>
            <p>{session.text(hint)}</p>
            {optional.then(|| view! { <p class="idcheck-note">{session.text(Text::CaptureBackOptional)}</p> })}
            <Show
                when=reviewing
                fallback=move || view! { <LiveCapture side=slot optional subject auto_capture moved note/> }
            >
                <div class="idcheck-frame">
                    {move || image().map(|image| view! {
                        <Picture image class="idcheck-shot" label=Text::CapturePreviewAlt/>
                    })}
                </div>
                <p>{session.text(Text::CaptureReviewHint)}</p>
                <Show when=move || session.flow.with(|flow| flow.repeats_refused(slot))>
                    <p class="idcheck-notice idcheck-capture-refused" role="status">
                        {session.text(Text::CaptureRefusedAgain)}
                    </p>
                </Show>
                {
                    move || note.get().map(|advice| view! {
                        <p class="idcheck-notice idcheck-capture-poor" id=note_id()>
                            {fill(
                                session.t(Text::CapturePoor),
                                &[("advice", session.t(advice_text(advice, subject, auto_capture)))],
                            )}
                        </p>
                    })
                }
                <div class="idcheck-nav">
                    <button
                        type="button"
                        class="idcheck-primary"
                        node_ref=use_button
                        aria-describedby=move || note.get().map(|_| note_id())
                        on:click=move |_| session.next()
                    >
                        {move || session.t(if is_pdf() { Text::CaptureUseFile } else { Text::CaptureUse })}
                    </button>
                    <button
                        type="button"
                        class="idcheck-secondary"
                        on:click=move |_| {
                            note.set(None);
                            moved.set(Some(Moved::Retaken));
                            session.discard_image(slot);
                        }
                    >
                        {move || session.t(if is_pdf() { Text::CaptureChooseAnother } else { Text::CaptureRetake })}
                    </button>
                </div>
            </Show>
            <ContinueOnPhone/>
        </section>
    }
}

/// The camera preview with live guidance, and the upload alternative. The camera and the analysis
/// stop when this leaves the page.
#[component]
fn LiveCapture(
    side: Slot,
    optional: bool,
    subject: Subject,
    auto_capture: bool,
    moved: RwSignal<Option<Moved>>,
    note: RwSignal<Option<Advice>>,
) -> impl IntoView {
    let slot = side;
    let session = expect_context::<Session>();
    let facing = if slot == Slot::Photo {
        Facing::User
    } else {
        Facing::Environment
    };
    let mirrored = facing == Facing::User;
    let frame = NodeRef::<leptos::html::Div>::new();
    let video = NodeRef::<leptos::html::Video>::new();
    let guide = NodeRef::<leptos::html::Div>::new();
    let take_button = NodeRef::<leptos::html::Button>::new();
    let retry_button = NodeRef::<leptos::html::Button>::new();
    let preview = RwSignal::new(Preview::Starting);
    let camera = StoredValue::new_local(None::<Camera>);
    let live = StoredValue::new_local(None::<Live>);
    let decision = RwSignal::new(None::<Decision>);
    let devices = RwSignal::new(Vec::<String>::new());
    let file_error = RwSignal::new(None::<Text>);
    let busy = RwSignal::new(false);
    let options = session.config.with_value(|config| config.image);
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
    // The face step's face check (`crate::face`), opened with the step. Until it is ready, and where
    // it cannot run, the step goes on without it and the member takes the photo.
    let face_detector = StoredValue::new_local(None::<Rc<FaceDetector>>);
    let face_check = RwSignal::new(false);
    let captures = move || auto_capture || face_check.get();
    let captures_now = move || auto_capture || face_check.get_untracked();

    // Keeps an image for the slot and says so; the view then turns to its review. `face`: what the
    // face check found wrong with a photo taken with Take photo.
    let keep = move |kept: Kept, origin: Origin, face: Option<Advice>| {
        let advice = guidance::kept_advice(&kept.report, origin).or(face);
        let mut quality = kept.quality();
        quality.advice = quality.advice.or(face);
        live.update_value(|live| *live = None);
        camera.update_value(|camera| *camera = None);
        note.set(advice);
        moved.set(Some(Moved::Kept));
        let said = match kept.method {
            Method::Uploaded => String::new(),
            _ => session.t(Text::GuideTaken).to_string(),
        };
        session.keep_image(slot, kept.frame, kept.method, Some(quality));
        let poor = advice.map(|advice| {
            fill(
                session.t(Text::CapturePoor),
                &[(
                    "advice",
                    session.t(advice_text(advice, subject, captures_now())),
                )],
            )
        });
        let said = [said, poor.unwrap_or_default()]
            .join(" ")
            .trim()
            .to_string();
        if !said.is_empty() {
            session.announcement.set(said);
        }
    };

    let speak = move |speech: Speech| {
        let words = match speech {
            Speech::Advice(advice) => session
                .t(advice_text(advice, subject, captures_now()))
                .to_string(),
            Speech::Holding => session.t(Text::GuideTaking).to_string(),
            Speech::GaveUp(advice) => fill(
                session.t(Text::GuideGaveUp),
                &[(
                    "advice",
                    session.t(advice_text(advice, subject, captures_now())),
                )],
            ),
        };
        session.announcement.set(words);
    };

    // Starts the analysis of what the camera shows, once it plays.
    let guide_live = move || {
        let (Some(element), Some(outline)) = (video.get_untracked(), guide.get_untracked()) else {
            return;
        };
        // The frame takes the camera's shape, so the guide drawn over it covers the picture.
        if let Some(frame) = frame.get_untracked() {
            let (width, height) = (element.video_width(), element.video_height());
            if width > 0 && height > 0 {
                let style = web_sys::HtmlElement::style(&frame);
                let _ = style.set_property("aspect-ratio", &format!("{width} / {height}"));
                let _ = style.set_property(
                    "--idcheck-video-aspect",
                    &format!("{:.4}", f64::from(width) / f64::from(height)),
                );
            }
        }
        let extra = face_detector.get_value().map(crate::face::live_check);
        let setup = Setup {
            subject,
            mirrored,
            auto_capture: guidance::auto_captures(subject, extra.is_some()),
            extra,
            options,
        };
        let handle = crate::guidance::start(
            element,
            outline.into(),
            setup,
            move |next: &Decision| {
                if next.capture {
                    let _ = busy.try_set(true);
                }
                if let Some(speech) = next.say {
                    speak(speech);
                }
                let _ = decision.try_set(Some(*next));
            },
            move |kept| match kept {
                Ok(kept) => keep(kept, Origin::Camera, None),
                Err(_) => {
                    let _ = busy.try_set(false);
                    let _ = file_error.try_set(Some(Text::CameraFailed));
                }
            },
        );
        live.update_value(|live| *live = Some(handle));
    };

    if subject == Subject::Face {
        spawn_local(async move {
            let Ok(detector) = FaceDetector::open().await else {
                return;
            };
            if face_detector
                .try_update_value(|slot| *slot = Some(Rc::new(detector)))
                .is_none()
            {
                return; // the step was left meanwhile
            }
            let _ = face_check.try_set(true);
            // A loop already running starts again, with the check.
            if live.try_with_value(Option::is_some) == Some(true) {
                guide_live();
            }
        });
    }

    let open = move |device: Option<String>| {
        // Stops the old analysis and stream first.
        live.update_value(|live| *live = None);
        camera.update_value(|camera| *camera = None);
        decision.set(None);
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
            guide_live();
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
        live.update_value(|live| *live = None);
        camera.update_value(|camera| *camera = None);
    });
    // After Retake, focus goes to the first thing to do again: take the photo, or, without a
    // camera, try it again.
    Effect::new(move |_| {
        let target = match preview.get() {
            Preview::Live => take_button.get().map(|button| button.focus()),
            Preview::Unavailable(_) => retry_button.get().map(|button| button.focus()),
            Preview::Starting => None,
        };
        if target.is_some() && moved.get_untracked() == Some(Moved::Retaken) {
            moved.set(None);
        }
    });

    let take = move |_| {
        let (Some(element), Some(outline)) = (video.get_untracked(), guide.get_untracked()) else {
            return;
        };
        if busy.get_untracked() || preview.get_untracked() != Preview::Live {
            return;
        }
        busy.set(true);
        // The member's press wins: the analysis stops, so no auto-capture can follow it.
        live.update_value(|live| *live = None);
        let whole = Rect::new(0, 0, element.video_width(), element.video_height());
        let outline =
            crate::guidance::guide_in_video(&element, &outline, mirrored).unwrap_or(whole);
        spawn_local(async move {
            // The frame is copied first, so what is analysed and what is kept are the same.
            let kept = match camera::snapshot(Source::Video(&element)) {
                Ok(canvas) => {
                    let kept = crate::guidance::keep_still(
                        Source::Canvas(&canvas),
                        outline,
                        subject,
                        Origin::Camera,
                        Method::Manual,
                        options,
                    )
                    .await;
                    let face = match face_detector.try_get_value().flatten() {
                        Some(detector) => {
                            crate::face::check_still(&detector, Source::Canvas(&canvas), outline)
                                .await
                        }
                        None => None,
                    };
                    kept.map(|kept| (kept, face))
                }
                Err(error) => Err(error),
            };
            match kept {
                Ok((kept, face)) => keep(kept, Origin::Camera, face),
                Err(_) => {
                    if file_error.try_set(Some(Text::CameraFailed)).is_none() {
                        return; // the step was left meanwhile
                    }
                    guide_live();
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

    // A PDF where the core says the slot takes one (an address document's pages).
    let accepts = session.flow.with_untracked(|flow| flow.accepts(slot));
    let on_file = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|files| files.get(0)) else {
            return;
        };
        input.set_value(""); // the same file can be chosen again after an error
        busy.set(true);
        file_error.set(None);
        spawn_local(async move {
            let chosen = upload::pdf_or_image(&file, accepts).await;
            let kept = match chosen {
                Ok(Chosen::Pdf(bytes)) => {
                    live.update_value(|live| *live = None);
                    camera.update_value(|camera| *camera = None);
                    note.set(None);
                    moved.set(Some(Moved::Kept));
                    session.keep_pdf(slot, file.name(), bytes);
                    Ok(())
                }
                Ok(Chosen::Image) => match accept_file(&file, subject, options).await {
                    Ok(kept) => Ok(keep(kept, Origin::Upload, None)),
                    Err(text) => Err(upload::image_refused(text, accepts)),
                },
                Err(text) => Err(text),
            };
            if let Err(text) = kept {
                let _ = file_error.try_set(Some(text));
                session.announce(text);
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
    let input_id = session.id(&format!(
        "file-{}",
        slot.field_prefix().to_ascii_lowercase()
    ));
    let ready = move || decision.with(|d| d.is_some_and(|d| d.ready));
    let instruction = move || {
        decision.get().map(|d| {
            let text = if d.hold.is_some() {
                Text::GuideTaking
            } else {
                advice_text(d.advice, subject, captures())
            };
            session.t(text)
        })
    };
    let gave_up = move || {
        decision.get().and_then(|d| d.gave_up).map(|advice| {
            fill(
                session.t(Text::GuideGaveUp),
                &[(
                    "advice",
                    session.t(advice_text(advice, subject, captures())),
                )],
            )
        })
    };

    view! {
        <div
            class="idcheck-frame"
            node_ref=frame
            aria-busy=move || (preview.get() == Preview::Starting).to_string()
        >
            <video
                node_ref=video
                class="idcheck-video"
                class:idcheck-mirrored=mirrored
                autoplay=true
                muted=true
                playsinline=true
                aria-hidden="true"
            ></video>
            <div
                node_ref=guide
                class=guide_class(subject)
                class:idcheck-guide-ready=ready
                aria-hidden="true"
            ></div>
            <Show when=move || decision.with(|d| d.is_some_and(|d| d.hold.is_some()))>
                <div class="idcheck-countdown" aria-hidden="true"></div>
            </Show>
            <Show when=move || preview.get() == Preview::Live && instruction().is_some()>
                <p class="idcheck-advice" class:idcheck-advice-ready=ready>{instruction}</p>
            </Show>
            {move || match preview.get() {
                Preview::Starting => Some(view! { <p class="idcheck-frame-message">{session.t(Text::CaptureStarting)}</p> }.into_any()),
                Preview::Live => None,
                Preview::Unavailable(error) => Some(view! {
                    <div class="idcheck-frame-message" role="alert">
                        <p>{session.t(camera_error_text(&error))}</p>
                        <button
                            type="button"
                            class="idcheck-secondary"
                            node_ref=retry_button
                            on:click=move |_| wanted_device.set(None)
                        >
                            {session.t(Text::CameraRetry)}
                        </button>
                    </div>
                }.into_any()),
            }}
        </div>
        <Show when=move || gave_up().is_some()>
            <p class="idcheck-notice idcheck-gave-up">{gave_up}</p>
        </Show>
        <div class="idcheck-nav">
            <Show when=move || preview.get() == Preview::Live>
                <button
                    type="button"
                    class="idcheck-primary"
                    node_ref=take_button
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
                accept=accepts.accept_attribute()
                aria-label=session.text(match accepts {
                    Accepts::Images => Text::CaptureUploadLabel,
                    Accepts::ImagesOrPdf => Text::CaptureUploadLabelPdf,
                })
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
/// analyses it once like a photo, cuts it where the analysis says and re-encodes it like a camera
/// frame. A file over the size limit is refused by the size the browser reports, before a byte of
/// it is read into memory.
async fn accept_file(
    file: &web_sys::File,
    subject: Subject,
    options: crate::config::ImageOptions,
) -> Result<Kept, Text> {
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
    let whole = Rect::new(0, 0, image.width(), image.height());
    let kept = crate::guidance::keep_still(
        Source::Bitmap(&image),
        whole,
        subject,
        Origin::Upload,
        Method::Uploaded,
        options,
    )
    .await
    .map_err(|_| Text::FileUnreadable);
    image.close();
    kept
}
