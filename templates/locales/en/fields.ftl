### The questions of the form: labels, hints, choices, and the messages
### shown beside a field that needs attention.

## Labels

label-business-name = Legal business name
label-ein = Employer Identification Number (EIN)
label-incorporation-state = State of incorporation
label-industry-code = Industry (NAICS code)
label-website = Website
label-business-email = Business email
label-line1 = Street address
label-line2 = Apartment, suite or unit
label-city = City
label-state = State
label-zip = ZIP code
label-full-legal-name = Full legal name
label-date-of-birth = Date of birth
label-job-title = Job title
label-id-type = Type of ID
label-id-number = ID number
label-issuing-country = Issuing country

## Hints

hint-business-name = As registered with your state, including LLC or Inc.
hint-ein = 9 digits, like 12-3456789
hint-ein-on-file = The EIN we have ends in { $last4 }. Enter the full, correct number.
hint-industry-code = 2 to 6 digits, like 541511 for software
hint-website = For example, example.com
hint-zip = For example, 10045 or 10045-1234
hint-job-title = For example, CEO or Managing member
hint-id-number = SSN and ITIN: 9 digits, like 123-45-6789
hint-id-number-keep = SSN and ITIN: 9 digits, like 123-45-6789. Leave it blank to keep the number ending in { $last4 }.
hint-number-reenter = You entered a number ending in { $last4 }. For your security we don't show full numbers again: please re-enter it.
hint-issuing-country = The country that issued the passport or other ID

## A date as three inputs, in this order: month, day, year

date-hint = For example, 7 31 1980
date-part-month = Month
date-part-day = Day
date-part-year = Year

## Lists

select-state = Choose a state
select-country = Choose a country
select-document = Choose a document
option-ssn = Social Security number (SSN)
option-itin = Individual Taxpayer Identification Number (ITIN)
option-passport = Passport
option-other-id = Other government ID

## A saved ID number, shown by its last four digits only

number-ending-ssn = SSN ending in { $last4 }
number-ending-itin = ITIN ending in { $last4 }
number-ending-passport = Passport number ending in { $last4 }
number-ending-drivers-license = Driver's license number ending in { $last4 }
number-ending-other = ID number ending in { $last4 }
change-number-hidden = the ID number

## What a field is called in a message about it ({ $field } below)

name-legal-business-name = Legal business name
name-ein = EIN
name-incorporation-state = State of incorporation
name-industry-code = Industry code
name-website = Website
name-business-email = Business email
name-line1 = Street address
name-line2 = Apartment, suite or unit
name-city = City
name-state = State
name-zip = ZIP code
name-issuing-country = Issuing country
name-country = Country
name-full-legal-name = Full legal name
name-date-of-birth = Date of birth
name-job-title = Job title
name-id-type = Type of ID
name-id-number = ID number
name-beneficial-owners = Beneficial owners
name-confirmation = Confirmation
name-answer = This answer

## A field left empty: what to do

required-business-name = Enter the business's legal name
required-ein = Enter the business's EIN
required-incorporation-state = Select the state the business is incorporated in
required-industry-code = Enter the industry code
required-website = Enter the website
required-business-email = Enter the business email
required-line1 = Enter the street address
required-line2 = Enter the apartment, suite or unit
required-city = Enter the city
required-state = Select the state
required-zip = Enter the ZIP code
required-issuing-country = Select the country that issued the document
required-country = Select the country
required-full-legal-name = Enter the full legal name
required-full-legal-name-own = Enter your full legal name
required-date-of-birth = Enter the date of birth
required-date-of-birth-own = Enter your date of birth
required-job-title = Enter the job title
required-id-type = Select the type of ID
required-id-number = Enter the ID number
required-beneficial-owners = Add at least one beneficial owner
required-confirmation = Confirm that the information is true and complete
required-structure = Select what you are onboarding
required-add-another = Select yes if you need to add another beneficial owner
required-answer = Enter an answer

## A field whose answer is not right

problem-prongs = Select whether this person owns 25% or more of the business, manages or controls it, or both
problem-date-of-birth-future = Enter a date of birth in the past
problem-date-of-birth-real = Date of birth must be a real date, like 7 31 1980
problem-date-of-birth-parts = Date of birth must include a { $parts }
date-part-name-month = month
date-part-name-day = day
date-part-name-year = year
date-parts-two = { $first } and { $second }
date-parts-three = { $first } and { $second } and { $third }
problem-adult = The person must be at least 18 years old
problem-adult-own = You must be at least 18 years old
problem-zip = Enter a ZIP code like 10045 or 10045-1234
problem-owners-control = Add at least one person who manages or controls the business, for example the CEO
problem-owners-too-many-owning = At most 4 people can each own 25% or more
problem-owners-too-many = List at most { $max } beneficial owners
invalid-ein-digits = { $field } must be 9 digits, like 12-3456789
invalid-ein-prefix = { $field } is not a valid EIN: check the first two digits
invalid-ssn-digits = { $field } must be 9 digits, like 123-45-6789
invalid-ssn-is-itin = { $field } starts with 9, which is an ITIN, not an SSN: choose ITIN instead
invalid-ssn = { $field } is not a valid Social Security number
invalid-itin-digits = { $field } must be 9 digits, like 912-70-1234
invalid-itin = { $field } is not a valid ITIN: an ITIN starts with 9 and its 4th and 5th digits are 50–65, 70–88, 90–92 or 94–99
invalid-document-number = { $field } must be 4 to 40 letters and digits
invalid-industry-code = { $field } must be a NAICS code of 2 to 6 digits, like 541511
invalid-email = { $field } must be an email address, like name@example.com
invalid-website = { $field } must be a website address, like https://example.com
invalid-state = { $field } must be a two-letter US state code, like NY
invalid-country = { $field } must be a two-letter country code, like US
invalid-date-before-1900 = { $field } must be after 1900
invalid-control-characters = { $field } must not contain control characters
invalid-too-long = { $field } must be at most { $max } characters long
# A problem without a message of its own.
invalid-other = Check the answer to { $field }
