### What every hosted page shows around its content, and the pages of the
### journey. Arguments are written { $like_this }; keep them as they are.

## Every page

# The language's name, in the language itself (the link that switches to it).
language-name = English
language-switch-label = Language
brand-default = Secure onboarding
skip-to-content = Skip to content
footer-privacy = Your information is used only to open your account with the company that sent you this link.
# The program's support and privacy links in every page's footer (when it has them).
footer-support = Help from { $program }
footer-privacy-policy = { $program } privacy policy

## Dates: { $month } is a month's name below; { $day } and { $year } are numbers.

date = { $month } { $day }, { $year }
date-time-utc = { $date } at { $time } UTC
month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December

## Parts of every question page

link-back = Back
link-change = Change
button-continue = Continue
button-submit = Submit
button-remove = Remove
button-return-to = Return to { $program }
step-count = Step { $stage } of { $stages }
title-with-error = Error: { $title }
error-summary-title = There is a problem
# Read by screen readers before each error message.
error-prefix = Error:
field-optional = (optional)
saved-note = Your answers are saved as you go: you can close this page and come back to the same link, on any device, until { $expires }.
answer-yes = Yes
answer-no = No
not-provided = Not provided

## What are you onboarding?

title-structure = What are you onboarding?
structure-lead = { $program } uses this secure form to verify who they are working with. It takes about 5 minutes.
structure-business = A business
structure-business-hint = A corporation or LLC. You'll need its EIN and details of its owners.
structure-individual = Myself, as an individual
structure-individual-hint = You'll need your Social Security number or another ID.

## The business

title-business = Business details
lead-business = Tell us about the business you are onboarding.
lead-business-correct = The details we have could not be verified. Enter them as registered with the IRS.
title-business-address = Business address
lead-business-address = The business's physical address in the US. Not a PO box.

## Beneficial owners

owner-heading = Beneficial owner { $number }
lead-owner = A person who owns 25% or more of the business, or who manages or controls it.
legend-role = Role in the business
role-ownership = Owns 25% or more of the business
role-control = Manages or controls the business
role-ownership-short = Owns 25% or more
role-control-short = Manages or controls
title-home-address = Home address
title-identification = Identification
title-owners-added =
    { $count ->
        [one] You have added 1 beneficial owner
       *[other] You have added { $count } beneficial owners
    }
title-owners-business =
    { $count ->
        [one] The business has 1 beneficial owner
       *[other] The business has { $count } beneficial owners
    }
owner-not-finished = Not finished
owner-on-file = On file
legend-add-another = Do you need to add another beneficial owner?
hint-add-another = Add everyone who owns 25% or more of the business (at most 4 people), and at least one person who manages or controls it.

## An individual

title-person = Your details
title-person-address = Your home address
title-person-id = Your identification
lead-person-id = We need it to verify who you are. It is encrypted and never shown again in full.

## Check your answers

title-check = Check your answers
lead-check = Check everything before you continue. Change anything that is wrong.
lead-check-tasks = These are the details { $program } will have for { $entity }. Check them, and change anything you entered that is wrong.
check-structure-heading = What you are onboarding
check-structure-key = Onboarding
check-owner-heading = Beneficial owner { $number }: { $name }
check-ein-key = EIN
check-owners-heading = Beneficial owners
check-role-key = Role
check-owners-key = Owners
identification-issued-by = { $document }, issued by { $country }

## Declaration

title-declaration = Declaration
declaration-confirm = By submitting, you confirm that the information you gave is true, correct and complete, that you may give the personal information of each person you named, and that you will tell { $program } if any of it changes.
declaration-final = You can't change your answers after you submit.
attest-label = I confirm that { $subject } is true and complete
attest-read-statement = read the statement
attest-subject = the information I provided
attest-subject-entity = the information about { $entity }

## A session for an existing customer: what is still needed

title-tasks = Finish onboarding for { $entity }
title-tasks-none = Everything is in order for { $entity }
tasks-lead = { $program } needs a few more things before it can finish onboarding { $entity }:
tasks-none-lead = { $program } has everything it needs about { $entity }. There is nothing left for you to do.
tasks-kept-owners = Already on file and not asked again: { $names }.
tasks-how = We'll ask only for these, one page at a time, and show you everything to check before you confirm.
# A task about one beneficial owner: { $task } is one of the tasks below.
task-about-owner = { $task } ({ $name })
task-confirm-details = Confirm that the details are correct
task-attest = Confirm that the information is true and complete
task-provide-tax-identifier = Provide the business's EIN
task-correct-tax-identifier = Correct the business's tax ID: it could not be verified
task-complete-address = Complete the address
task-correct-address = Correct the address: it could not be validated (PO boxes are not accepted)
task-correct-identity = Correct the identity details: they could not be verified
task-provide-identification = Provide an ID number
task-add-beneficial-owner = Add the business's beneficial owners
task-add-control-person = Add a person who manages or controls the business
task-provide-beneficial-owner-identification = Provide an ID number for a beneficial owner
task-correct-beneficial-owner-identity = Correct a beneficial owner's identity: it could not be verified
task-correct-beneficial-owner-address = Correct a beneficial owner's home address

## The statement the customer confirms

statement-title = Attestation
statement-intro = By checking the confirmation box and submitting the onboarding form, you confirm that:
statement-true = the information you provided about yourself or your business, and about its beneficial owners, is true, correct and complete;
statement-authorized = you are authorized to provide it, including the personal information of each person you listed;
statement-changes = you will tell the company that sent you the form if any of it changes.
statement-recorded = The time of your confirmation and the IP address it came from are recorded with it.
