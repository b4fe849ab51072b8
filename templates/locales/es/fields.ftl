### Las preguntas del formulario: etiquetas, indicaciones, opciones y los
### mensajes que aparecen junto a un campo que necesita atención.

## Etiquetas

label-business-name = Nombre legal de la empresa
label-ein = EIN (Número de Identificación del Empleador)
label-incorporation-state = Estado de constitución
label-industry-code = Sector (código NAICS)
label-website = Sitio web
label-business-email = Correo electrónico de la empresa
label-line1 = Dirección
label-line2 = Apartamento, suite o unidad
label-city = Ciudad
label-state = Estado
label-zip = Código postal (ZIP)
label-full-legal-name = Nombre legal completo
label-date-of-birth = Fecha de nacimiento
label-job-title = Cargo
label-id-type = Tipo de identificación
label-id-number = Número de identificación
label-issuing-country = País emisor

## Indicaciones

hint-business-name = Tal como está registrado en su estado, incluido LLC o Inc.
hint-ein = 9 dígitos, por ejemplo 12-3456789
hint-ein-on-file = El EIN que tenemos termina en { $last4 }. Ingrese el número completo y correcto.
hint-industry-code = De 2 a 6 dígitos, por ejemplo 541511 para software
hint-website = Por ejemplo, ejemplo.com
hint-zip = Por ejemplo, 10045 o 10045-1234
hint-job-title = Por ejemplo, director general (CEO) o socio administrador
hint-id-number = SSN e ITIN: 9 dígitos, por ejemplo 123-45-6789
hint-id-number-keep = SSN e ITIN: 9 dígitos, por ejemplo 123-45-6789. Déjelo en blanco para conservar el número que termina en { $last4 }.
hint-number-reenter = Ingresó un número que termina en { $last4 }. Por su seguridad, no volvemos a mostrar números completos: ingréselo de nuevo.
hint-issuing-country = El país que emitió el pasaporte u otra identificación

## Una fecha en tres casillas, en este orden: mes, día, año

date-hint = Por ejemplo, 7 31 1980 (mes, día, año)
date-part-month = Mes
date-part-day = Día
date-part-year = Año

## Listas

select-state = Elija un estado
select-country = Elija un país
select-document = Elija un documento
option-ssn = Número de Seguro Social (SSN)
option-itin = Número de Identificación Personal del Contribuyente (ITIN)
option-passport = Pasaporte
option-other-id = Otra identificación oficial

## Un número de identificación guardado, que se muestra solo por sus últimos cuatro dígitos

number-ending-ssn = SSN que termina en { $last4 }
number-ending-itin = ITIN que termina en { $last4 }
number-ending-passport = Pasaporte que termina en { $last4 }
number-ending-drivers-license = Licencia de conducir que termina en { $last4 }
number-ending-other = Identificación que termina en { $last4 }
change-number-hidden = el número de identificación

## Cómo se nombra un campo en un mensaje sobre él ({ $field } abajo), con su artículo

name-legal-business-name = El nombre legal de la empresa
name-ein = El EIN
name-incorporation-state = El estado de constitución
name-industry-code = El código de sector
name-website = El sitio web
name-business-email = El correo electrónico de la empresa
name-line1 = La dirección
name-line2 = El apartamento, suite o unidad
name-city = La ciudad
name-state = El estado
name-zip = El código postal
name-issuing-country = El país emisor
name-country = El país
name-full-legal-name = El nombre legal completo
name-date-of-birth = La fecha de nacimiento
name-job-title = El cargo
name-id-type = El tipo de identificación
name-id-number = El número de identificación
name-beneficial-owners = Los beneficiarios finales
name-confirmation = La confirmación
name-answer = Esta respuesta

## Un campo vacío: qué hacer

required-business-name = Ingrese el nombre legal de la empresa
required-ein = Ingrese el EIN de la empresa
required-incorporation-state = Elija el estado en el que se constituyó la empresa
required-industry-code = Ingrese el código de sector
required-website = Ingrese el sitio web
required-business-email = Ingrese el correo electrónico de la empresa
required-line1 = Ingrese la dirección
required-line2 = Ingrese el apartamento, suite o unidad
required-city = Ingrese la ciudad
required-state = Elija el estado
required-zip = Ingrese el código postal
required-issuing-country = Elija el país que emitió el documento
required-country = Elija el país
required-full-legal-name = Ingrese el nombre legal completo
required-full-legal-name-own = Ingrese su nombre legal completo
required-date-of-birth = Ingrese la fecha de nacimiento
required-date-of-birth-own = Ingrese su fecha de nacimiento
required-job-title = Ingrese el cargo
required-id-type = Elija el tipo de identificación
required-id-number = Ingrese el número de identificación
required-beneficial-owners = Agregue al menos un beneficiario final
required-confirmation = Confirme que la información es verdadera y completa
required-structure = Elija qué va a registrar
required-add-another = Elija «Sí» si necesita agregar otro beneficiario final
required-answer = Ingrese una respuesta

## Un campo cuya respuesta no es correcta

problem-prongs = Indique si esta persona es dueña del 25 % o más de la empresa, si la dirige o controla, o ambas cosas
problem-date-of-birth-future = Ingrese una fecha de nacimiento en el pasado
problem-date-of-birth-real = La fecha de nacimiento debe ser una fecha real, por ejemplo 7 31 1980
problem-date-of-birth-parts = La fecha de nacimiento debe incluir { $parts }
date-part-name-month = el mes
date-part-name-day = el día
date-part-name-year = el año
date-parts-two = { $first } y { $second }
date-parts-three = { $first }, { $second } y { $third }
problem-adult = La persona debe tener al menos 18 años
problem-adult-own = Debe tener al menos 18 años
problem-zip = Ingrese un código postal como 10045 o 10045-1234
problem-owners-control = Agregue al menos a una persona que dirija o controle la empresa, por ejemplo, el director general (CEO)
problem-owners-too-many-owning = Como máximo 4 personas pueden ser dueñas del 25 % o más cada una
problem-owners-too-many = Indique como máximo { $max } beneficiarios finales
invalid-ein-digits = { $field } debe tener 9 dígitos, por ejemplo 12-3456789
invalid-ein-prefix = { $field } no es un EIN válido: revise los dos primeros dígitos
invalid-ssn-digits = { $field } debe tener 9 dígitos, por ejemplo 123-45-6789
invalid-ssn-is-itin = { $field } empieza con 9, así que es un ITIN y no un SSN: elija ITIN
invalid-ssn = { $field } no es un Número de Seguro Social válido
invalid-itin-digits = { $field } debe tener 9 dígitos, por ejemplo 912-70-1234
invalid-itin = { $field } no es un ITIN válido: un ITIN empieza con 9 y sus dígitos 4.º y 5.º están entre 50 y 65, 70 y 88, 90 y 92 o 94 y 99
invalid-document-number = { $field } debe tener de 4 a 40 letras y números
invalid-industry-code = { $field } debe ser un código NAICS de 2 a 6 dígitos, por ejemplo 541511
invalid-email = { $field } debe ser una dirección de correo electrónico, por ejemplo nombre@ejemplo.com
invalid-website = { $field } debe ser una dirección web, por ejemplo https://ejemplo.com
invalid-state = { $field } debe ser un código de estado de EE. UU. de dos letras, por ejemplo NY
invalid-country = { $field } debe ser un código de país de dos letras, por ejemplo US
invalid-date-before-1900 = { $field } debe ser posterior a 1900
invalid-control-characters = { $field } no puede contener caracteres de control
invalid-too-long = { $field } debe tener como máximo { $max } caracteres
# Un problema sin mensaje propio.
invalid-other = { $field }: revise esta respuesta
