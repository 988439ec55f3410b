/* Appointment form: choosing a service fills the duration and the price from it (the options
   carry them as data-duration / data-price). A value staff typed themselves is kept; a value
   this script filled follows the next service chosen. The server fills empty fields too, so
   the form works without this script. */
"use strict";
document.addEventListener("DOMContentLoaded", function () {
    const service = document.getElementById("id_service");
    const targets = [
        [document.getElementById("id_duration_minutes"), "duration"],
        [document.getElementById("id_price"), "price"],
    ].filter(function (pair) { return pair[0] !== null; });
    if (service === null || targets.length === 0) {
        return;
    }
    function fill() {
        const option = service.options[service.selectedIndex];
        if (!option || option.value === "") {
            return;
        }
        targets.forEach(function (pair) {
            const field = pair[0];
            const value = option.dataset[pair[1]] || "";
            if (field.value === "" || field.dataset.autofilled === field.value) {
                field.value = value;
                field.dataset.autofilled = value;
            }
        });
    }
    service.addEventListener("change", fill);
    if (document.getElementById("id_opened_state") === null) {
        fill(); // the add form, perhaps opened with a service chosen
    }
});
