### Lo que muestra cada página alrededor de su contenido, y las páginas del
### recorrido. Los argumentos se escriben { $asi }: déjelos tal cual.

## Todas las páginas

# El nombre del idioma en el propio idioma (el enlace que cambia a él).
language-name = Español
language-switch-label = Idioma
brand-default = Registro seguro
skip-to-content = Ir al contenido
footer-privacy = Su información se usa solo para abrir su cuenta con la empresa que le envió este enlace.
# The program's support and privacy links in every page's footer (when it has them).
footer-support = Ayuda de { $program }
footer-privacy-policy = Política de privacidad de { $program }

## Fechas: { $month } es el nombre de un mes de abajo; { $day } y { $year } son números.

date = { $day } de { $month } de { $year }
date-time-utc = { $date } a las { $time } UTC
month-1 = enero
month-2 = febrero
month-3 = marzo
month-4 = abril
month-5 = mayo
month-6 = junio
month-7 = julio
month-8 = agosto
month-9 = septiembre
month-10 = octubre
month-11 = noviembre
month-12 = diciembre

## Partes de cada página de preguntas

link-back = Atrás
link-change = Cambiar
button-continue = Continuar
button-submit = Enviar
button-remove = Eliminar
button-return-to = Volver a { $program }
step-count = Paso { $stage } de { $stages }
title-with-error = Error: { $title }
error-summary-title = Hay un problema
# Lo leen los lectores de pantalla antes de cada mensaje de error.
error-prefix = Error:
field-optional = (opcional)
saved-note = Sus respuestas se guardan a medida que avanza: puede cerrar esta página y volver al mismo enlace, desde cualquier dispositivo, hasta el { $expires }.
answer-yes = Sí
answer-no = No
not-provided = No indicado

## ¿Qué va a registrar?

title-structure = ¿Qué va a registrar?
structure-lead = { $program } usa este formulario seguro para verificar con quién trabaja. Le tomará unos 5 minutos.
structure-business = Una empresa
structure-business-hint = Una corporación o LLC. Necesitará su EIN y los datos de sus propietarios.
structure-individual = A mí mismo, como persona física
structure-individual-hint = Necesitará su Número de Seguro Social u otra identificación.

## La empresa

title-business = Datos de la empresa
lead-business = Cuéntenos sobre la empresa que va a registrar.
lead-business-correct = No pudimos verificar los datos que tenemos. Ingréselos tal como están registrados ante el IRS.
title-business-address = Dirección de la empresa
lead-business-address = La dirección física de la empresa en EE. UU. No se aceptan apartados postales (PO Box).

## Beneficiarios finales

owner-heading = Beneficiario final { $number }
lead-owner = Una persona que es dueña del 25 % o más de la empresa, o que la dirige o controla.
legend-role = Función en la empresa
role-ownership = Es dueña del 25 % o más de la empresa
role-control = Dirige o controla la empresa
role-ownership-short = Dueña del 25 % o más
role-control-short = Dirige o controla
title-home-address = Domicilio particular
title-identification = Identificación
title-owners-added =
    { $count ->
        [one] Agregó 1 beneficiario final
       *[other] Agregó { $count } beneficiarios finales
    }
title-owners-business =
    { $count ->
        [one] La empresa tiene 1 beneficiario final
       *[other] La empresa tiene { $count } beneficiarios finales
    }
owner-not-finished = Sin terminar
owner-on-file = Ya registrado
legend-add-another = ¿Necesita agregar otro beneficiario final?
hint-add-another = Agregue a todas las personas que sean dueñas del 25 % o más de la empresa (4 como máximo) y al menos a una persona que la dirija o controle.

## Una persona física

title-person = Sus datos
title-person-address = Su domicilio particular
title-person-id = Su identificación
lead-person-id = La necesitamos para verificar su identidad. Se guarda cifrada y nunca se vuelve a mostrar completa.

## Revise sus respuestas

title-check = Revise sus respuestas
lead-check = Revise todo antes de continuar. Cambie lo que no sea correcto.
lead-check-tasks = Estos son los datos que { $program } tendrá de { $entity }. Revíselos y cambie lo que haya ingresado de forma incorrecta.
check-structure-heading = Qué va a registrar
check-structure-key = Tipo de registro
check-owner-heading = Beneficiario final { $number }: { $name }
check-ein-key = EIN
check-owners-heading = Beneficiarios finales
check-role-key = Función
check-owners-key = Beneficiarios
identification-issued-by = { $document }, emitido por { $country }

## Declaración

title-declaration = Declaración
declaration-confirm = Al enviar, usted confirma que la información que proporcionó es verdadera, correcta y completa, que está autorizado a proporcionar los datos personales de cada persona que mencionó y que avisará a { $program } si algo cambia.
declaration-final = No podrá cambiar sus respuestas después de enviarlas.
attest-label = Confirmo que { $subject } es verdadera y completa
attest-read-statement = lea la declaración
attest-subject = la información que proporcioné
attest-subject-entity = la información sobre { $entity }

## Una sesión para un cliente existente: lo que aún falta

title-tasks = Complete el registro de { $entity }
title-tasks-none = Todo está en orden para { $entity }
tasks-lead = { $program } necesita algunos datos más para completar el registro de { $entity }:
tasks-none-lead = { $program } tiene todo lo que necesita sobre { $entity }. No tiene nada más que hacer.
tasks-kept-owners = Ya están registrados y no se le volverán a pedir: { $names }.
tasks-how = Le pediremos solo esto, una página a la vez, y le mostraremos todo para que lo revise antes de confirmar.
# Una tarea sobre un beneficiario final: { $task } es una de las tareas de abajo.
task-about-owner = { $task } ({ $name })
task-confirm-details = Confirmar que los datos son correctos
task-attest = Confirmar que la información es verdadera y completa
task-provide-tax-identifier = Indicar el EIN de la empresa
task-correct-tax-identifier = Corregir la identificación fiscal de la empresa: no se pudo verificar
task-complete-address = Completar la dirección
task-correct-address = Corregir la dirección: no se pudo validar (no se aceptan apartados postales)
task-correct-identity = Corregir los datos de identidad: no se pudieron verificar
task-provide-identification = Indicar un número de identificación
task-add-beneficial-owner = Agregar a los beneficiarios finales de la empresa
task-add-control-person = Agregar a una persona que dirija o controle la empresa
task-provide-beneficial-owner-identification = Indicar un número de identificación de un beneficiario final
task-correct-beneficial-owner-identity = Corregir la identidad de un beneficiario final: no se pudo verificar
task-correct-beneficial-owner-address = Corregir el domicilio particular de un beneficiario final

## La declaración que confirma el cliente

statement-title = Declaración
statement-intro = Al marcar la casilla de confirmación y enviar el formulario de registro, usted confirma que:
statement-true = la información que proporcionó sobre usted o su empresa, y sobre sus beneficiarios finales, es verdadera, correcta y completa;
statement-authorized = está autorizado a proporcionarla, incluidos los datos personales de cada persona que mencionó;
statement-changes = avisará a la empresa que le envió el formulario si algo cambia.
statement-recorded = Junto con su confirmación se registran la hora en que la dio y la dirección IP desde la que se envió.
