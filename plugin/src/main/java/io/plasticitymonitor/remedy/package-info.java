/**
 * Remedies that act on absorbed units instead of only reporting them, all in this package: {@link
 * io.plasticitymonitor.remedy.RemedySettings} (the API: each remedy's parameters, their names and
 * defaults, and their text form), {@link io.plasticitymonitor.remedy.RemedyRunner} (binds one
 * remedy to each network the listener sees and runs it on the training thread — in {@code
 * iterationDone}, after DL4J's update and before the next iteration, or at a task's start — never
 * concurrently with the updater) and one small class per remedy with its formula and citation. What
 * they change in the network they change through {@code internal.network.UnitSurgery}, the only
 * code that knows DL4J's layout.
 */
package io.plasticitymonitor.remedy;
