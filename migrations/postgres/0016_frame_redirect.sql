-- Whether the hosted form, shown in a frame, sends the customer back to the
-- platform in the whole window (true) or inside the frame (false, the default).
ALTER TABLE programs ADD COLUMN redirect_out_of_frame BOOLEAN NOT NULL DEFAULT FALSE;
