### The pages shown instead of the form when something is wrong.
### Each has a heading, a message and, for most, a hint.

error-not-found-heading = We couldn't find this page
error-not-found-message = This onboarding link is not valid. Check that you copied the whole link.
error-not-found-hint = If it still doesn't work, ask the company that sent you the link for a new one.
error-gone-heading = This link is no longer valid
error-gone-message = This onboarding link has expired or has already been used.
error-gone-hint = Please ask the company that sent it to you for a new link. If you already finished, there is nothing more to do.
error-gone-return-hint = If you haven't finished, go back to { $program } to get a new link. If you already finished, there is nothing more to do.
error-expired-while-open-heading = Your link expired while you were filling in the form
error-expired-while-open-message = Links to this form work for a limited time to keep your information safe. The time ran out before this page was sent, so what you entered on it was not saved.
error-expired-while-open-hint = Go back to { $program } to get a new link, then open it to continue.
error-entity-not-active-heading = This onboarding can no longer be completed
error-entity-not-active-message = The account this link was made for has been closed, so nothing can be changed through this link. Nothing you entered was saved.
error-entity-not-active-hint = If you think this is a mistake, contact the company that sent you the link.
error-forbidden-heading = Please reload the page and try again
error-forbidden-message = For your security we couldn't accept this form: it was opened in another browser window, or too long ago. Nothing was saved.
error-forbidden-hint = Reload the form, then send the page again. The answers you saved before are kept.
error-forbidden-action = Reload the form
error-changed-heading = These details changed while you were working
error-changed-message = The information on file was updated while you were filling in this form, so nothing was submitted.
error-changed-hint = Check the details as they are now, then confirm them again.
error-changed-action = Check the details again
error-too-large-heading = That was more than we can accept
error-too-large-message = The form you sent was too large. Please shorten the longest answers and try again.
error-bad-request-heading = We couldn't read this form
error-bad-request-message = Something was wrong with the form your browser sent. Nothing was saved.
error-bad-request-hint = Go back, reload the page, and try again.
error-damaged-link-heading = We couldn't read this link
error-damaged-link-message = This onboarding link contains characters a link cannot have. Check that you copied it exactly as you received it.
error-damaged-link-hint = If it still doesn't work, ask the company that sent you the link for a new one.
error-too-slow-heading = Your connection was too slow
error-too-slow-message = The form you sent didn't arrive completely in time, so nothing was saved.
error-too-slow-hint = Check your internet connection, then go back and submit the form again.
error-rate-limited-heading = Please slow down a little
error-rate-limited-message = We received a lot of requests from your network in a short time, so we paused this one. Nothing from this step was saved.
error-rate-limited-hint = Please wait { $wait } before you reload the page or go back and try again.
wait-a-second = a second
wait-seconds =
    { $count ->
        [one] { $count } second
       *[other] { $count } seconds
    }
wait-minutes =
    { $count ->
        [one] { $count } minute
       *[other] { $count } minutes
    }
error-unavailable-heading = We'll be right back
error-unavailable-message = This page is briefly unavailable. Nothing you entered was saved yet; please try again in a minute.
error-internal-heading = Something went wrong
error-internal-message = We couldn't show this page. Nothing you entered was lost; please try again in a minute.
