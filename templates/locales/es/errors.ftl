### Las páginas que se muestran en lugar del formulario cuando algo sale mal.
### Cada una tiene un título, un mensaje y, casi todas, una sugerencia.

error-not-found-heading = No encontramos esta página
error-not-found-message = Este enlace de registro no es válido. Verifique que copió el enlace completo.
error-not-found-hint = Si sigue sin funcionar, pida un enlace nuevo a la empresa que se lo envió.
error-gone-heading = Este enlace ya no es válido
error-gone-message = Este enlace de registro venció o ya se usó.
error-gone-hint = Pida un enlace nuevo a la empresa que se lo envió. Si ya terminó, no tiene nada más que hacer.
error-gone-return-hint = Si no terminó, vuelva a { $program } para obtener un enlace nuevo. Si ya terminó, no tiene nada más que hacer.
error-expired-while-open-heading = Su enlace venció mientras llenaba el formulario
error-expired-while-open-message = Los enlaces a este formulario funcionan por tiempo limitado para proteger su información. El tiempo se agotó antes de que se enviara esta página, así que lo que ingresó en ella no se guardó.
error-expired-while-open-hint = Vuelva a { $program } para obtener un enlace nuevo y ábralo para continuar.
error-entity-not-active-heading = Este registro ya no se puede completar
error-entity-not-active-message = La cuenta para la que se creó este enlace está cerrada, así que no se puede cambiar nada con este enlace. No se guardó nada de lo que ingresó.
error-entity-not-active-hint = Si cree que se trata de un error, comuníquese con la empresa que le envió el enlace.
error-forbidden-heading = Vuelva a cargar la página e inténtelo de nuevo
error-forbidden-message = Por su seguridad, no pudimos aceptar este formulario: se abrió en otra ventana del navegador o hace demasiado tiempo. No se guardó nada.
error-forbidden-hint = Vuelva a cargar el formulario y envíe la página otra vez. Las respuestas que guardó antes se conservan.
error-forbidden-action = Volver a cargar el formulario
error-changed-heading = Estos datos cambiaron mientras trabajaba
error-changed-message = La información registrada se actualizó mientras llenaba este formulario, así que no se envió nada.
error-changed-hint = Revise los datos como están ahora y vuelva a confirmarlos.
error-changed-action = Revisar los datos de nuevo
error-too-large-heading = Eso es más de lo que podemos aceptar
error-too-large-message = El formulario que envió es demasiado grande. Acorte las respuestas más largas e inténtelo de nuevo.
error-bad-request-heading = No pudimos leer este formulario
error-bad-request-message = El formulario que envió su navegador tenía un problema. No se guardó nada.
error-bad-request-hint = Regrese, vuelva a cargar la página e inténtelo de nuevo.
error-damaged-link-heading = No pudimos leer este enlace
error-damaged-link-message = Este enlace de registro contiene caracteres que un enlace no puede tener. Verifique que lo copió exactamente como lo recibió.
error-damaged-link-hint = Si sigue sin funcionar, pida un enlace nuevo a la empresa que se lo envió.
error-too-slow-heading = Su conexión fue demasiado lenta
error-too-slow-message = El formulario que envió no llegó completo a tiempo, así que no se guardó nada.
error-too-slow-hint = Revise su conexión a internet, regrese y vuelva a enviar el formulario.
error-rate-limited-heading = Vaya un poco más despacio
error-rate-limited-message = Recibimos muchas solicitudes desde su red en poco tiempo, así que pausamos esta. No se guardó nada de este paso.
error-rate-limited-hint = Espere { $wait } antes de volver a cargar la página o de regresar e intentarlo de nuevo.
wait-a-second = un segundo
wait-seconds =
    { $count ->
        [one] { $count } segundo
       *[other] { $count } segundos
    }
wait-minutes =
    { $count ->
        [one] { $count } minuto
       *[other] { $count } minutos
    }
error-unavailable-heading = Volvemos enseguida
error-unavailable-message = Esta página no está disponible por un momento. Todavía no se guardó nada de lo que ingresó; inténtelo de nuevo en un minuto.
error-internal-heading = Algo salió mal
error-internal-message = No pudimos mostrar esta página. No se perdió nada de lo que ingresó; inténtelo de nuevo en un minuto.
